import HTTPTypes
import Hummingbird

/// Refuses a request whose method LabGate never answers, before anything counts it: the
/// request metrics keep one series per method, and a client inventing methods would
/// otherwise grow them (and the process's memory) without end.
struct KnownMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var known: Set<HTTPRequest.Method> { [.get, .head, .post, .put, .patch, .delete, .options] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.known.contains(request.method) else {
            throw HTTPError(.methodNotAllowed, message: "LabGate does not answer the \(request.method.rawValue.prefix(32)) method")
        }
        return try await next(request, context)
    }
}
