import Foundation
import Hummingbird
import LTIGateway
import LabCore
import Provisioning
import WebSupport

/// The admin REST API under `/api/v1`: every route needs a bearer token of enough scope,
/// and every refusal has one JSON shape (`APIError`).
struct APIController: Sendable {
    let tokens: APITokens
    let admin: Administration
    /// Where nodes are read from; nil where no cluster is wired (the route answers 503).
    let proxmox: ProxmoxClient?
    /// Checks environments against the cluster before they are stored; nil where no cluster is wired (503).
    let catalog: EnvironmentCatalog?
    let memoryCeiling: Double
    let audit: AuditTrail
    let trustForwardedFor: Bool
    /// Where platforms start a Dynamic Registration, for the invitations' URLs.
    let registrationURL: String

    var repositories: Repositories { admin.repositories }

    /// Every operation of the API, with the CLI's words for it.
    var routes: [APIRoute] {
        [
            APIRoute(.get, "/openapi.yaml", scope: nil, "getDocument") { _, _ in try Self.document() },
            APIRoute(.get, "/platforms", scope: .read, "listPlatforms", cli: "platform list") { _, _ in try await listPlatforms() },
            APIRoute(.post, "/platforms/{platform}/approve", scope: .admin, "approvePlatform", cli: "platform approve") { _, context in
                try await approve(context)
            },
            APIRoute(.delete, "/platforms/{platform}", scope: .admin, "removePlatform", cli: "platform remove") { _, context in
                try await admin.removePlatform(PlatformID(try context.parameters.require("platform")))
                return Response(status: .noContent)
            },
            APIRoute(.post, "/platform-invitations", scope: .admin, "invitePlatform", cli: "platform invite") { request, _ in
                try await invitePlatform(request)
            },
            APIRoute(.get, "/deployments", scope: .read, "listDeployments", cli: "platform list") { _, _ in try await listDeployments() },
            APIRoute(.get, "/environments", scope: .read, "listEnvironments", cli: "env list") { _, _ in
                try Self.json(try await repositories.environments.list().map(EnvironmentResource.init))
            },
            APIRoute(.put, "/environments/{name}", scope: .write, "saveEnvironment", cli: "env add") { request, context in
                try await saveEnvironment(request, context)
            },
            APIRoute(.delete, "/environments/{name}", scope: .write, "removeEnvironment", cli: "env remove") { _, context in
                try await admin.removeEnvironment(name: try context.parameters.require("name"))
                return Response(status: .noContent)
            },
            APIRoute(.get, "/courses", scope: .read, "listCourses", cli: "course list") { request, _ in try await listCourses(request) },
            APIRoute(.get, "/courses/{course}", scope: .read, "getCourse", cli: "course show") { _, context in try await course(context) },
            APIRoute(.get, "/activities", scope: .read, "listActivities", cli: "activity list") { request, _ in try await listActivities(request) },
            APIRoute(.put, "/activities/{activity}/environment", scope: .write, "setActivityEnvironment", cli: "activity set-environment") {
                request, context in try await setEnvironment(request, context)
            },
            APIRoute(.get, "/instances", scope: .read, "listInstances", cli: "instance list") { request, _ in try await listInstances(request) },
            APIRoute(.post, "/instances", scope: .write, "createInstance", cli: "instance create") { request, _ in try await createInstance(request) },
            APIRoute(.get, "/instances/{id}", scope: .read, "getInstance", cli: "instance show") { _, context in
                let instance = try await instance(context)
                return try Self.json(InstanceResource(instance, checkpoints: try await repositories.checkpoints.list(instanceID: instance.id)))
            },
            APIRoute(
                .post, "/instances/{id}/{action}", scope: .write, "actOnInstance",
                cli: "instance start", "instance stop", "instance reset", "instance delete"
            ) { _, context in try await act(context) },
            APIRoute(.get, "/nodes", scope: .read, "listNodes", cli: "node list") { _, _ in try await listNodes() },
            APIRoute(.get, "/jobs", scope: .read, "listFailedJobs", cli: "job list") { _, _ in
                try Self.json(try await admin.queue.deadLetters(limit: 500).map(JobResource.init))
            },
            APIRoute(.post, "/jobs/{job}/retry", scope: .write, "retryJob", cli: "job retry") { _, context in
                let id = try context.parameters.require("job")
                try await admin.retry(job: id)
                return try Self.json(["id": id], status: .accepted)
            },
            APIRoute(.get, "/audit-events", scope: .read, "listAuditEvents", cli: "audit list") { request, _ in try await listAuditEvents(request) },
            APIRoute(.get, "/quotas", scope: .read, "listQuotas", cli: "quota list") { _, _ in try Self.json(try await repositories.quotas.list()) },
            APIRoute(.put, "/quotas/{scope}", scope: .admin, "setQuota", cli: "quota set") { request, context in
                try Self.json(try await admin.setQuota(try Self.quotaScope(context), try await Self.decode(QuotaLimits.self, from: request)))
            },
            APIRoute(.delete, "/quotas/{scope}", scope: .admin, "removeQuota", cli: "quota remove") { _, context in
                try await admin.removeQuota(try Self.quotaScope(context))
                return Response(status: .noContent)
            },
            APIRoute(.get, "/tokens", scope: .admin, "listTokens", cli: "token list") { _, _ in
                try Self.json(try await repositories.apiTokens.list().map(TokenResource.init))
            },
            APIRoute(.post, "/tokens", scope: .admin, "createToken", cli: "token create") { request, _ in try await createToken(request) },
            APIRoute(.delete, "/tokens/{name}", scope: .admin, "revokeToken", cli: "token revoke") { _, context in
                try await admin.revokeToken(name: try context.parameters.require("name"), now: Date())
                return Response(status: .noContent)
            },
            APIRoute(.post, "/users/{user}/end-sessions", scope: .admin, "endUserSessions", cli: "user end-sessions") { _, context in
                try await admin.endSessions(of: UserID(try context.parameters.require("user")))
                return Response(status: .noContent)
            },
        ]
    }

    func register(on router: Router<LabGateRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await run(route, request, context)
            }
        }
        // A method a path does not take is 405 with the ones it does; an unknown path is
        // 404; both in the API's one shape.
        let methods = Dictionary(grouping: routes, by: \.routerPath).mapValues { Set($0.map(\.method)) }
        for (path, taken) in methods {
            let allow = taken.map(\.rawValue).sorted().joined(separator: ", ")
            for method in HTTPRequest.Method.known where !taken.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ in
                    APIError.methodNotAllowed("This address takes \(allow) only.", allow: allow)
                }
            }
        }
        for method in HTTPRequest.Method.known {
            router.on("/api/v1/**", method: method) { _, _ in
                APIError(status: .notFound, code: "not_found", message: "There is no such operation; the list is at /api/v1/openapi.yaml.").apiResponse()
            }
        }
    }

    /// Authenticates, checks the scope, and answers every refusal in the API's shape.
    private func run(_ route: APIRoute, _ request: Request, _ context: LabGateRequestContext) async throws -> Response {
        var actor: String?
        do {
            if let needed = route.scope {
                guard let bearer = request.bearerToken, let token = try await tokens.authenticate(bearer, now: Date())
                else { throw APIError.unauthenticated }
                guard token.scope >= needed else { throw APIError.forbidden(needed) }
                context.logger.info("api request", metadata: ["token": .string(token.name), "scope": .string(token.scope.rawValue)])
                actor = "token:\(token.name)"
            }
            let response = try await route.handle(request, context)
            await record(route, request, context, actor: actor, status: response.status)
            return response
        } catch {
            guard let refusal = APIError(error) else { throw error }
            await record(route, request, context, actor: actor, status: refusal.status, detail: refusal.message)
            return refusal.apiResponse()
        }
    }

    /// Every change asked of the API goes to the audit trail, with the token that asked.
    private func record(
        _ route: APIRoute, _ request: Request, _ context: LabGateRequestContext, actor: String?, status: HTTPResponse.Status, detail: String = ""
    ) async {
        guard route.method != .get, let actor else { return }
        let (action, subject) = route.audited(request.uri.path)
        let event = AuditEvent(
            at: Date(), actor: actor, action: action, subject: subject, detail: detail,
            address: request.clientAddress(context, trustForwardedFor: trustForwardedFor),
            outcome: (200..<300).contains(status.code) ? .succeeded : .refused)
        await audit.record(event)
    }

    private func instance(_ context: LabGateRequestContext) async throws -> LabInstance {
        let id = try context.parameters.require("id")
        guard let instance = try await repositories.instances.find(id: LabInstanceID(id)) else { throw APIError.notFound("lab instance \(id)") }
        return instance
    }

    /// `?state=ready,failed&limit=100&cursor=<id>`: a page of instances by id.
    private func listInstances(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        // As `labgate instance list`: deleted ones only when asked for by state.
        var states = Set(LabInstanceState.allCases).subtracting([.deleted])
        if let text = query["state"] {
            guard !text.isEmpty else { throw APIError.invalid("state", "state names at least one state; leave it out for every state but deleted.") }
            states = []
            for name in text.split(separator: ",") {
                guard let state = LabInstanceState(rawValue: String(name)) else {
                    throw APIError.invalid(
                        "state",
                        "state is a comma-separated list of \(LabInstanceState.allCases.map(\.rawValue).joined(separator: ", ")); \(name) is none of them.")
                }
                states.insert(state)
            }
        }
        let limit = try Self.limit(request)
        let items = try await repositories.instances.page(states: states, after: query["cursor"].map { LabInstanceID(String($0)) }, limit: limit + 1)
        let shown = Array(items.prefix(limit))
        return try Self.json(Page(items: shown.map { InstanceResource($0) }, nextCursor: items.count > limit ? shown.last?.id.rawValue : nil))
    }

    /// `POST /instances/{id}/{start|stop|reset|delete}`: 202 with the instance as saved.
    private func act(_ context: LabGateRequestContext) async throws -> Response {
        let name = try context.parameters.require("action")
        guard let operation = LabOperations.Operation(rawValue: name) else {
            throw APIError.invalid("action", "action must be one of: \(LabOperations.Operation.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let instance = try await instance(context)
        return try Self.json(InstanceResource(try await admin.operations.perform(operation, on: instance.id)), status: .accepted)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// The OpenAPI document, shipped with the executable.
    static func document() throws -> Response {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = FileManager.default.contents(atPath: url.path) else {
            throw APIError(status: .internalServerError, code: "no_document", message: "The OpenAPI document is missing from this installation.")
        }
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
