import HTTPTypes
import Hummingbird

extension HTTPRequest.Method {
    /// Every method LabGate answers, if only with a 405 naming the ones an address takes.
    static let known: [HTTPRequest.Method] = [.get, .put, .post, .delete, .patch, .head, .options, .trace, HTTPRequest.Method("QUERY")!]
    /// `known` as an `Allow` header names them.
    static let knownAllow = known.map(\.rawValue).joined(separator: ", ")
}

/// Refuses a request whose method LabGate never answers, before anything counts it: the
/// request metrics keep one series per method, and a client inventing methods would
/// otherwise grow them (and the process's memory) without end.
struct KnownMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard HTTPRequest.Method.known.contains(request.method) else {
            let allow = HTTPRequest.Method.knownAllow
            return APIError.methodNotAllowed(
                "LabGate does not answer the \(request.method.rawValue.prefix(32)) method; it answers \(allow).", allow: allow)
        }
        return try await next(request, context)
    }
}
