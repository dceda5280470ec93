import Hummingbird
import LabCore

/// One operation of the admin API: method, path (OpenAPI's `{name}` form), the token scope
/// it needs (nil: public), its OpenAPI operation id, the `labgate` subcommands that do the
/// same, and its handler. The table of these is what is served, what the authorization
/// test walks, what is compared with `docs/openapi.yaml` and with the CLI's commands.
struct APIRoute: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var scope: APIToken.Scope?
    /// The operation's name in the document and in the audit trail, for the API and the CLI alike.
    var operationID: String
    /// The CLI's words for the same operation, e.g. `quota set`; none for the document itself.
    var commands: [String]
    var handle: @Sendable (Request, LabGateRequestContext) async throws -> Response

    init(
        _ method: HTTPRequest.Method, _ path: String, scope: APIToken.Scope?, _ operationID: String, cli commands: String...,
        handle: @escaping @Sendable (Request, LabGateRequestContext) async throws -> Response
    ) {
        self.method = method
        self.path = path
        self.scope = scope
        self.operationID = operationID
        self.commands = commands
        self.handle = handle
    }

    /// A call's words in the audit trail, shared with the CLI and the course page: the command
    /// (the one named by the path's last segment, if several) as `instance.reset`, and the
    /// thing acted on as `instance/<id>`, or the collection (`tokens`) when the path names none.
    func audited(_ requestPath: String) -> (action: String, subject: String) {
        let segments = requestPath.split(separator: "/").dropFirst(2).map(String.init)
        let command = commands.count == 1 ? commands[0] : commands.first { $0.split(separator: " ").last.map(String.init) == segments.last } ?? operationID
        guard let kind = segments.first else { return (command, requestPath) }
        let singular = kind.hasSuffix("ies") ? kind.dropLast(3) + "y" : kind.hasSuffix("s") ? String(kind.dropLast()) : kind
        let subject = segments.count > 1 ? "\(singular)/\(segments[1])" : kind
        return (command.replacingOccurrences(of: " ", with: "."), subject)
    }

    /// The path in Hummingbird's form (`:name`), below `/api/v1`.
    var routerPath: String {
        "/api/v1"
            + path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
            }.joined(separator: "/")
    }
}
