import HTTPTypes
import Hummingbird

/// Headers every answer carries so browsers and caches treat it safely: no type sniffing,
/// no full address in `Referer` to other sites, a `Content-Security-Policy` on every page,
/// and `no-store` on what carries credentials or one-time values (the admin API, whose
/// token answers hold a bearer, and the login redirect, whose `Location` holds a state and
/// a nonce).
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The origins of the platforms that may frame LabGate's pages, read when a page is answered.
    let frameAncestors: @Sendable () async -> [String]

    public init(frameAncestors: @escaping @Sendable () async -> [String]) {
        self.frameAncestors = frameAncestors
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.referrerPolicy] == nil { response.headers[.referrerPolicy] = "same-origin" }
        if response.headers[.contentSecurityPolicy] == nil, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = ContentSecurityPolicy.header(frameAncestors: await frameAncestors())
        }
        if Self.neverStored(request.uri.path) { response.headers[.cacheControl] = "no-store" }
        return response
    }

    static func neverStored(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/lti/login") || path == "/lti/launch" || path == "/logout"
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
