import HTTPTypes
import Hummingbird

/// Headers every answer carries so browsers and caches treat it safely: no type sniffing,
/// no full address in `Referer` to other sites, and `no-store` on what carries credentials
/// or one-time values (the admin API, whose token answers hold a bearer, and the login
/// redirect, whose `Location` holds a state and a nonce).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        if response.headers[.init("Referrer-Policy")!] == nil { response.headers[.init("Referrer-Policy")!] = "same-origin" }
        if Self.neverStored(request.uri.path) { response.headers[.cacheControl] = "no-store" }
        return response
    }

    static func neverStored(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/lti/login") || path == "/lti/launch" || path == "/logout"
    }
}
