import Hummingbird
import LabCore

/// One operation of the admin API: method, path (OpenAPI's `{name}` form), the token scope
/// it needs (nil: public) and its handler. The table of these is what is served, what the
/// authorization test walks and what is compared with `docs/openapi.yaml`.
struct APIRoute: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var scope: APIToken.Scope?
    var handle: @Sendable (Request, LabGateRequestContext) async throws -> Response

    /// The path in Hummingbird's form (`:name`), below `/api/v1`.
    var routerPath: String {
        "/api/v1" + path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }
}
