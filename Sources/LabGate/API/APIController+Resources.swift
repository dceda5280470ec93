import Foundation
import Hummingbird
import LabCore
import Provisioning
import WebSupport

extension APIController {
    func listPlatforms() async throws -> Response {
        var items: [PlatformResource] = []
        for platform in try await repositories.platforms.list() {
            items.append(PlatformResource(platform, deployments: try await repositories.platforms.deployments(of: platform.id)))
        }
        return try Self.json(items)
    }

    func approve(_ context: LabGateRequestContext) async throws -> Response {
        let platform = try await admin.approvePlatform(PlatformID(try context.parameters.require("platform")))
        return try Self.json(PlatformResource(platform, deployments: try await repositories.platforms.deployments(of: platform.id)))
    }

    func listDeployments() async throws -> Response {
        var items: [DeploymentResource] = []
        for platform in try await repositories.platforms.list() {
            for deployment in try await repositories.platforms.deployments(of: platform.id) {
                items.append(
                    DeploymentResource(platformId: platform.id.rawValue, issuer: platform.issuer, clientId: platform.clientID, deploymentId: deployment))
            }
        }
        return try Self.json(items)
    }

    /// Adds the environment, or replaces the one of this name, once the cluster confirms it: 201 new, 200 replaced.
    func saveEnvironment(_ request: Request, _ context: LabGateRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let spec = try await Self.decode(EnvironmentSpec.self, from: request)
        guard spec.name == name else { throw AdminError.invalid(field: "name", message: "name must be the one in the path, \(name)") }
        guard let catalog else { throw APIError.noCluster }
        let existed = try await repositories.environments.find(name: name) != nil
        return try Self.json(EnvironmentResource(try await catalog.add(spec)), status: existed ? .ok : .created)
    }

    func listCourses(_ request: Request) async throws -> Response {
        let limit = try Self.limit(request)
        let courses = try await repositories.courses.page(after: request.uri.queryParameters["cursor"].map { CourseID(String($0)) }, limit: limit + 1)
        let shown = Array(courses.prefix(limit))
        return try Self.json(Page(items: shown.map(CourseResource.init), nextCursor: courses.count > limit ? shown.last?.id.rawValue : nil))
    }

    func course(_ context: LabGateRequestContext) async throws -> Response {
        let id = try context.parameters.require("course")
        guard let course = try await repositories.courses.find(id: CourseID(id)) else { throw APIError.notFound("course \(id)") }
        let activities = try await repositories.courses.activities(of: course.id).map(ActivityResource.init)
        return try Self.json(
            CourseDetail(
                course: CourseResource(course), activities: activities, settings: try await repositories.courses.settings(of: course.id),
                usage: try await repositories.instances.usage(of: .course(course.id))))
    }

    /// The cluster's nodes as Proxmox reports them; schedulable when online and below the memory ceiling.
    func listNodes() async throws -> Response {
        guard let proxmox else { throw APIError.noCluster }
        let cluster = try await ClusterView.load(from: proxmox)
        return try Self.json(NodeResource.all(in: cluster, memoryCeiling: memoryCeiling))
    }

    /// `?course=&actor=&subject=&before=<sequence>&limit=`: the newest events first.
    func listAuditEvents(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var before: Int64?
        if let text = query["before"] {
            guard let value = Int64(String(text)), value > 0 else { throw APIError.invalid("before", "before must be a positive sequence number.") }
            before = value
        }
        let limit = try Self.limit(request)
        let filter = AuditFilter(
            subject: query["subject"].map(String.init), actor: query["actor"].map(String.init), courseID: query["course"].map { CourseID(String($0)) })
        let events = try await repositories.audit.list(filter, before: before, limit: limit + 1)
        let shown = Array(events.prefix(limit))
        return try Self.json(Page(items: shown.map(AuditResource.init), nextCursor: events.count > limit ? shown.last?.sequence.map(String.init) : nil))
    }

    /// `?course=<id>`: the course's activities and the environment each opens.
    func listActivities(_ request: Request) async throws -> Response {
        guard let id = request.uri.queryParameters["course"].map(String.init), !id.isEmpty else {
            throw APIError.invalid("course", "course is required: the id of the course whose activities to list (GET /courses).")
        }
        guard try await repositories.courses.find(id: CourseID(id)) != nil else { throw APIError.notFound("course \(id)") }
        return try Self.json(try await repositories.courses.activities(of: CourseID(id)).map(ActivityResource.init))
    }

    /// `{"environment": "<name>"}` binds the activity, `{"environment": null}` unbinds it.
    func setEnvironment(_ request: Request, _ context: LabGateRequestContext) async throws -> Response {
        let id = ActivityID(try context.parameters.require("activity"))
        let choice = try await Self.decode(EnvironmentChoice.self, from: request)
        return try Self.json(ActivityResource(try await admin.setEnvironment(of: id, to: choice.environment)))
    }

    /// 201 with a new instance, or 200 with the one the user already has.
    func createInstance(_ request: Request) async throws -> Response {
        let wanted = try await Self.decode(InstanceRequest.self, from: request)
        let (instance, created) = try await admin.createInstance(userID: UserID(wanted.userId), environmentName: wanted.environment)
        return try Self.json(InstanceResource(instance), status: created ? .created : .ok)
    }

    /// 201 with the token and, this once, its bearer value.
    func invitePlatform(_ request: Request) async throws -> Response {
        let wanted = try await Self.decode(InvitationRequest.self, from: request)
        let (url, expiresAt) = try await admin.invitePlatform(
            registrationURL: registrationURL, lifetimeHours: wanted.expiresHours ?? PlatformInvitation.defaultLifetimeHours, now: Date())
        return try Self.json(CreatedInvitation(url: url, expiresAt: expiresAt), status: .created)
    }

    func createToken(_ request: Request) async throws -> Response {
        let wanted = try await Self.decode(TokenRequest.self, from: request)
        let (token, bearer) = try await admin.createToken(name: wanted.name, scope: wanted.scope, expiresDays: wanted.expiresDays, now: Date())
        return try Self.json(CreatedToken(token: TokenResource(token), bearer: bearer), status: .created)
    }

    static func quotaScope(_ context: LabGateRequestContext) throws -> Quota.Scope {
        let raw = try context.parameters.require("scope")
        guard let scope = Quota.Scope(raw.removingPercentEncoding ?? raw) else {
            throw APIError.invalid("scope", "scope is global, courses (each course without its own), course:<course id> or students (each student).")
        }
        return scope
    }

    /// A JSON body of at most 16 KB: 413 beyond, 422 naming a field it does not take or a
    /// `null` where a value is required, 400 naming the field when it does not decode.
    static func decode<T: APIRequestBody>(_ type: T.Type, from request: Request) async throws -> T {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 16 * 1024)
        } catch {
            throw APIError(status: .contentTooLarge, code: "too_large", message: "The body is larger than 16 KB.")
        }
        if let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)), let misfit = T.shape.misfit(of: json) {
            throw APIError(status: .unprocessableContent, code: "invalid_field", message: misfit.problem, details: ["field": misfit.field])
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            let field = DescribedFailure.field(of: error)
            // The right type with a value that cannot be (a VLAN range that ends before it
            // starts) is a field to correct, as the other checks of a field are.
            if case .dataCorrupted(let context) = error, !context.codingPath.isEmpty {
                throw APIError(
                    status: .unprocessableContent, code: "invalid_field", message: "\(DescribedFailure.describe(error)).",
                    details: field.map { ["field": $0] } ?? [:])
            }
            throw APIError(
                status: .badRequest, code: "invalid_body", message: "The body is not the JSON this operation takes: \(DescribedFailure.describe(error)).",
                details: field.map { ["field": $0] } ?? [:])
        } catch {
            throw APIError(status: .badRequest, code: "invalid_body", message: "The body must be a JSON object.")
        }
    }

    /// `?limit=`: 1 to 500, 100 when absent.
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return 100 }
        guard let value = Int(String(text)), (1...500).contains(value) else { throw APIError.invalid("limit", "limit must be a whole number from 1 to 500.") }
        return value
    }
}
