import Hummingbird
import LTIGateway
import LabCore
import WebSupport

/// The one place where errors become HTTP answers: a module's typed error becomes its
/// `Refusal` (status, code, words a person can act on), shown as a page to a browser
/// loading one and as the API's JSON to everyone else; the cause goes to the log, never to
/// the client.
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            throw HTTPError(.notFound, message: "There is nothing at this address. Check it, or start again from your course page in Moodle.")
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as StoreError where error.isTemporary && request.isPageNavigation {
            // A page in the course's frame, never JSON; one that was fetched (not posted) loads itself again.
            context.logger.warning("busy", metadata: ["reason": .string("\(error)")])
            let delay = Int.random(in: 3...7)
            return HTMLPage.busy(requestID: context.id, retry: request.method == .get ? (delay, nil) : nil)
                .response(headers: [.retryAfter: String(delay)])
        } catch {
            guard let refusal = Refusal(error) else {
                context.logger.error("unexpected error", metadata: ["error": .string(String(reflecting: error))])
                throw HTTPError(.internalServerError, message: "LabGate could not complete this request. Its log has the cause under request id \(context.id).")
            }
            context.logger.log(
                level: refusal.status.code >= 500 ? .error : .info, "request refused",
                metadata: ["code": .string(refusal.code), "status": .stringConvertible(refusal.status.code), "cause": .string("\(error)")])
            // Scripts and API clients read JSON; a browser loading a page reads the page.
            guard request.isPageNavigation else { return refusal.apiResponse() }
            let headers: HTTPFields = refusal.retryAfter.map { [.retryAfter: String($0)] } ?? [:]
            var page = HTMLPage.refusal(refusal, heading: Self.heading(of: request.uri.path), requestID: context.id)
            page.frameAncestors = Self.registeringPlatform(request).map { [$0] }
            return page.response(headers: headers)
        }
    }

    /// A refused registration is shown in the dialog of the platform that tried to
    /// register, which is not one of the registered platforms: the origin of its
    /// `openid_configuration`, which may frame that page (it holds no form to trick anyone into).
    static func registeringPlatform(_ request: Request) -> String? {
        guard request.uri.path.hasPrefix("/lti/register") else { return nil }
        return request.uri.queryParameters["openid_configuration"].flatMap { ContentSecurityPolicy.origin(of: String($0)) }
    }

    /// What the person was doing, in the words of a refusal page's heading.
    static func heading(of path: String) -> String {
        if path.hasPrefix("/lti/register") { return "LabGate could not be registered" }
        if path.hasPrefix("/lti/deep-linking") { return "The lab could not be added" }
        if path.hasPrefix("/courses/") { return "The course page could not be opened" }
        return "The lab could not be opened"
    }
}

extension Request {
    /// A browser loading a page (its `Accept` names HTML), not a script or an API client.
    var isPageNavigation: Bool {
        !uri.path.hasPrefix("/api/") && headers[values: .accept].contains { $0.contains("text/html") }
    }
}
