import HTTPTypes
import Hummingbird

extension HTTPRequest.Method {
    /// Every method LabGate answers, if only with a 405 naming the ones an address takes.
    static let known: [HTTPRequest.Method] = [.get, .put, .post, .delete, .patch, .head, .options, .trace, HTTPRequest.Method("QUERY")!]
}

/// Refuses a request whose method LabGate never answers, before anything counts it: the
/// request metrics keep one series per method, and a client inventing methods would
/// otherwise grow them (and the process's memory) without end.
struct KnownMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var allow: String { HTTPRequest.Method.known.map(\.rawValue).joined(separator: ", ") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard HTTPRequest.Method.known.contains(request.method) else {
            var refusal = APIError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "LabGate does not answer the \(request.method.rawValue.prefix(32)) method; it answers \(Self.allow)."
            ).apiResponse()
            refusal.headers[.allow] = Self.allow
            return refusal
        }
        return try await next(request, context)
    }
}
