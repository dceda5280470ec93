import Foundation
import Hummingbird
import LabCore
import Provisioning

/// The admin REST API under `/api/v1`: every route needs a bearer token of enough scope,
/// and every refusal has one JSON shape (`APIError`).
struct APIController: Sendable {
    let tokens: APITokens
    let repositories: Repositories
    let operations: LabOperations

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
        ]
    }

    func register(on router: Router<BasicRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await run(route, request, context)
            }
        }
    }

    /// Authenticates, checks the scope, and answers every refusal in the API's shape.
    private func run(_ route: APIRoute, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        do {
            if let needed = route.scope {
                guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                    let token = try await tokens.authenticate(String(header.dropFirst(7)), now: Date())
                else { throw APIError.unauthenticated }
                guard token.scope >= needed else { throw APIError.forbidden(needed) }
                context.logger.info("api request", metadata: ["token": .string(token.name), "scope": .string(token.scope.rawValue)])
            }
            return try await route.handle(request, context)
        } catch {
            guard let refusal = APIError(error) else { throw error }
            return refusal.response()
        }
    }

    private func instance(_ context: BasicRequestContext) async throws -> LabInstance {
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
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...500).contains(value) else { throw APIError.invalid("limit", "limit must be a whole number from 1 to 500.") }
            limit = value
        }
        let items = try await repositories.instances.page(states: states, after: query["cursor"].map { LabInstanceID(String($0)) }, limit: limit + 1)
        let shown = Array(items.prefix(limit))
        return try Self.json(Page(items: shown.map(InstanceResource.init), nextCursor: items.count > limit ? shown.last?.id.rawValue : nil))
    }

    /// `POST /instances/{id}/{start|stop|reset|delete}`: 202 with the instance as saved.
    private func act(_ context: BasicRequestContext) async throws -> Response {
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
