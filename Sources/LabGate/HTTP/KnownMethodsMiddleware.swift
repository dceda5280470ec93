import HTTPTypes
import Hummingbird

/// Refuses a request whose method LabGate never answers, before anything counts it: the
/// request metrics keep one series per method, and a client inventing methods would
/// otherwise grow them (and the process's memory) without end.
struct KnownMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var known: [HTTPRequest.Method] { [.get, .head, .post, .put, .patch, .delete, .options] }
    /// RFC 9110 §15.5.6: a 405 names the methods the server does answer.
    static var allow: String { known.map(\.rawValue).joined(separator: ", ") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.known.contains(request.method) else {
            throw HTTPError(
                .methodNotAllowed, headers: [.allow: Self.allow],
                message: "LabGate does not answer the \(request.method.rawValue.prefix(32)) method; it answers \(Self.allow)")
        }
        return try await next(request, context)
    }
}
