import Foundation
import Hummingbird
import LTIGateway
import LabCore
import Provisioning

/// The admin REST API under `/api/v1`: every route needs a bearer token of enough scope,
/// and every refusal has one JSON shape (`APIError`).
struct APIController: Sendable {
    let tokens: APITokens
    let repositories: Repositories
    let operations: LabOperations
    let queue: any JobQueue
    /// Where nodes are read from; nil where no cluster is wired (the route answers 503).
    let proxmox: ProxmoxClient?
    let memoryCeiling: Double
    let audit: AuditTrail
    let trustForwardedFor: Bool

    /// Every operation of the API.
    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/openapi.yaml", scope: nil) { _, _ in try Self.document() },
            APIRoute(method: .get, path: "/environments", scope: .read) { _, _ in
                try Self.json(try await repositories.environments.list().map(EnvironmentResource.init))
            },
            APIRoute(method: .get, path: "/instances", scope: .read) { request, _ in try await listInstances(request) },
            APIRoute(method: .get, path: "/instances/{id}", scope: .read) { _, context in
                try Self.json(InstanceResource(try await instance(context)))
            },
            APIRoute(method: .post, path: "/instances/{id}/{action}", scope: .write) { _, context in
                try await act(context)
            },
            APIRoute(method: .get, path: "/tokens", scope: .admin) { _, _ in
                try Self.json(try await repositories.apiTokens.list().map(TokenResource.init))
            },
            APIRoute(method: .get, path: "/platforms", scope: .read) { _, _ in try await listPlatforms() },
            APIRoute(method: .post, path: "/platforms/{platform}/approve", scope: .admin) { _, context in try await approve(context) },
            APIRoute(method: .get, path: "/courses", scope: .read) { request, _ in try await listCourses(request) },
            APIRoute(method: .get, path: "/courses/{course}", scope: .read) { _, context in try await course(context) },
            APIRoute(method: .get, path: "/nodes", scope: .read) { _, _ in try await listNodes() },
            APIRoute(method: .get, path: "/jobs", scope: .read) { _, _ in try Self.json(try await queue.deadLetters(limit: 500).map(JobResource.init)) },
            APIRoute(method: .post, path: "/jobs/{job}/retry", scope: .write) { _, context in try await retry(context) },
            APIRoute(method: .get, path: "/audit-events", scope: .read) { request, _ in try await listAuditEvents(request) },
            APIRoute(method: .get, path: "/quotas", scope: .read) { _, _ in try Self.json(try await repositories.quotas.list()) },
            APIRoute(method: .put, path: "/quotas/{scope}", scope: .admin) { request, context in try await setQuota(request, context) },
            APIRoute(method: .delete, path: "/quotas/{scope}", scope: .admin) { _, context in try await removeQuota(context) },
        ]
    }

    func register(on router: Router<LabGateRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await run(route, request, context)
            }
        }
    }

    /// Authenticates, checks the scope, and answers every refusal in the API's shape.
    private func run(_ route: APIRoute, _ request: Request, _ context: LabGateRequestContext) async throws -> Response {
        var actor: String?
        do {
            if let needed = route.scope {
                guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                    let token = try await tokens.authenticate(String(header.dropFirst(7)), now: Date())
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
            return refusal.response()
        }
    }

    /// Every change asked of the API goes to the audit trail, with the token that asked.
    private func record(_ route: APIRoute, _ request: Request, _ context: LabGateRequestContext, actor: String?, status: HTTPResponse.Status, detail: String = "") async {
        guard route.method != .get, let actor else { return }
        let event = AuditEvent(
            at: Date(), actor: actor, action: "\(route.method.rawValue) \(route.path)", subject: request.uri.path, detail: detail,
            address: request.clientAddress(context, trustForwardedFor: trustForwardedFor),
            outcome: (200..<300).contains(status.code) ? .succeeded : .refused)
        await audit.record(event, logger: context.logger)
    }

    private func instance(_ context: LabGateRequestContext) async throws -> LabInstance {
        let id = try context.parameters.require("id")
        guard let instance = try await repositories.instances.find(id: LabInstanceID(id)) else { throw APIError.notFound("lab instance \(id)") }
        return instance
    }

    /// `?state=ready,failed&limit=100&cursor=<id>`: a page of instances by id.
    private func listInstances(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var states = Set(LabInstanceState.allCases)
        if let text = query["state"] {
            states = []
            for name in text.split(separator: ",") {
                guard let state = LabInstanceState(rawValue: String(name)) else {
                    throw APIError.invalid("state", "state is a comma-separated list of \(LabInstanceState.allCases.map(\.rawValue).joined(separator: ", ")); \(name) is none of them.")
                }
                states.insert(state)
            }
        }
        let limit = try Self.limit(request)
        let items = try await repositories.instances.page(states: states, after: query["cursor"].map { LabInstanceID(String($0)) }, limit: limit + 1)
        let shown = Array(items.prefix(limit))
        return try Self.json(Page(items: shown.map(InstanceResource.init), nextCursor: items.count > limit ? shown.last?.id.rawValue : nil))
    }

    /// `POST /instances/{id}/{start|stop|reset|delete}`: 202 with the instance as saved.
    private func act(_ context: LabGateRequestContext) async throws -> Response {
        let name = try context.parameters.require("action")
        guard let operation = LabOperations.Operation(rawValue: name) else {
            throw APIError.invalid("action", "action must be one of: \(LabOperations.Operation.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let instance = try await instance(context)
        return try Self.json(InstanceResource(try await operations.perform(operation, on: instance.id)), status: .accepted)
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
