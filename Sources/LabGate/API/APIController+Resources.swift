import Foundation
import Hummingbird
import LabCore
import Provisioning

extension APIController {
    func listPlatforms() async throws -> Response {
        var items: [PlatformResource] = []
        for platform in try await repositories.platforms.list() {
            items.append(PlatformResource(platform, deployments: try await repositories.platforms.deployments(of: platform.id)))
        }
        return try Self.json(items)
    }

    /// A platform that registered itself dynamically starts pending; this lets its launches in.
    func approve(_ context: LabGateRequestContext) async throws -> Response {
        let id = try context.parameters.require("platform")
        guard var platform = try await repositories.platforms.find(id: PlatformID(id)) else { throw APIError.notFound("platform \(id)") }
        if platform.status != .active {
            platform.status = .active
            guard try await repositories.platforms.update(platform) else { throw APIError.notFound("platform \(id)") }
        }
        return try Self.json(PlatformResource(platform, deployments: try await repositories.platforms.deployments(of: platform.id)))
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
        let activities = try await repositories.courses.activities(of: course.id).map {
            CourseDetail.ActivityResource(id: $0.id.rawValue, resourceLinkId: $0.resourceLinkID, title: $0.title, environmentId: $0.environmentID?.rawValue)
        }
        return try Self.json(CourseDetail(
            course: CourseResource(course), activities: activities, settings: try await repositories.courses.settings(of: course.id),
            usage: try await repositories.instances.usage(of: .course(course.id))))
    }

    /// The cluster's nodes as Proxmox reports them; schedulable when online and below the memory ceiling.
    func listNodes() async throws -> Response {
        guard let proxmox else { throw APIError(status: .serviceUnavailable, code: "unavailable", message: "No Proxmox cluster is wired to this process.") }
        let cluster: ClusterView
        do {
            cluster = try await ClusterView.load(from: proxmox)
        } catch {
            throw APIError(status: .badGateway, code: "proxmox_unavailable", message: "Proxmox did not answer: \(error)")
        }
        return try Self.json(cluster.nodes.sorted { $0.node < $1.node }.map { node in
            NodeResource(
                name: node.node, online: node.online, cores: node.cores, cpu: node.cpu, memoryBytes: node.memoryBytes,
                memoryUsedBytes: node.memoryUsedBytes,
                schedulable: node.online && Double(node.memoryUsedBytes) < Double(node.memoryBytes) * memoryCeiling)
        })
    }

    func retry(_ context: LabGateRequestContext) async throws -> Response {
        let id = try context.parameters.require("job")
        guard try await queue.retry(deadLetter: JobID(id)) else { throw APIError.notFound("failed job \(id) waiting for a retry") }
        return try Self.json(["id": id], status: .accepted)
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

    func setQuota(_ request: Request, _ context: LabGateRequestContext) async throws -> Response {
        let scope = try Self.quotaScope(context)
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 16 * 1024)
        } catch {
            throw APIError(status: .contentTooLarge, code: "too_large", message: "The body is larger than 16 KB.")
        }
        let limits: QuotaLimits
        do {
            limits = try JSONDecoder().decode(QuotaLimits.self, from: Data(buffer: body))
        } catch {
            throw APIError(status: .badRequest, code: "invalid_body", message: "The body must be a JSON object with instances, cores and memoryMiB, each a whole number or absent.")
        }
        for (field, value) in [("instances", limits.instances), ("cores", limits.cores), ("memoryMiB", limits.memoryMiB)] {
            if let value, !(0...1_000_000_000).contains(value) {
                throw APIError(status: .unprocessableContent, code: "invalid_field", message: "\(field) must be from 0 to 1000000000.", details: ["field": field])
            }
        }
        let quota = Quota(scope: scope, instances: limits.instances, cores: limits.cores, memoryMiB: limits.memoryMiB)
        try await repositories.quotas.save(quota)
        return try Self.json(quota)
    }

    func removeQuota(_ context: LabGateRequestContext) async throws -> Response {
        let scope = try Self.quotaScope(context)
        guard try await repositories.quotas.remove(scope) else { throw APIError.notFound("quota for \(scope)") }
        return Response(status: .noContent)
    }

    static func quotaScope(_ context: LabGateRequestContext) throws -> Quota.Scope {
        let text = try context.parameters.require("scope")
        guard let scope = Quota.Scope(text) else {
            throw APIError.invalid("scope", "scope is global, courses (each course without its own), course:<course id> or students (each student).")
        }
        return scope
    }

    /// `?limit=`: 1 to 500, 100 when absent.
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return 100 }
        guard let value = Int(String(text)), (1...500).contains(value) else { throw APIError.invalid("limit", "limit must be a whole number from 1 to 500.") }
        return value
    }
}
