import Hummingbird
import LabCore
import LTIGateway
import WebSupport

/// The one place where errors become HTTP answers: each kind gets the status it deserves
/// and a message a person can act on; the cause goes to the log, never to the client.
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
            _ = Self.httpError(for: error, context: context)
            let delay = Int.random(in: 3...7)
            return HTMLPage.busy(requestID: context.id, retry: request.method == .get ? (delay, nil) : nil)
                .response(headers: [.retryAfter: String(delay)])
        } catch let error as StoreError {
            throw Self.httpError(for: error, context: context)
        } catch let error as ToolKeyError {
            context.logger.critical("tool keys unusable", metadata: ["reason": .string(Backends.words(error))])
            throw HTTPError(
                .serviceUnavailable,
                message: "LabGate cannot use its signing keys right now (its configuration is incomplete). Tell your lab administrator; /readyz says what to fix.")
        } catch {
            context.logger.error("unexpected error", metadata: ["error": .string(String(reflecting: error))])
            throw Self.internalError(context: context)
        }
    }

    static func httpError(for error: StoreError, context: Context) -> HTTPError {
        switch error {
        case .unavailable(let component, let reason):
            context.logger.error("\(component) unavailable", metadata: ["reason": .string(reason)])
            return HTTPError(
                .serviceUnavailable, headers: [.retryAfter: "5"],
                message: "The \(component) is unavailable right now. Try again in a moment; if it lasts, tell your lab administrator.")
        case .retryable(let reason):
            context.logger.warning("retryable storage error", metadata: ["reason": .string(reason)])
            return HTTPError(.serviceUnavailable, headers: [.retryAfter: "1"], message: "LabGate is busy. Try again in a moment.")
        case .duplicate(let what):
            context.logger.info("duplicate", metadata: ["detail": .string(what)])
            return HTTPError(.conflict, message: "That exists already.")
        case .conflict(let what):
            return HTTPError(.conflict, message: "\(what).")
        case .failed(let reason):
            context.logger.error("storage failure", metadata: ["reason": .string(reason)])
            return Self.internalError(context: context)
        }
    }

    /// A 500 that points to the log by request id and says nothing of the cause.
    static func internalError(context: Context) -> HTTPError {
        HTTPError(.internalServerError, message: "LabGate could not complete this request. Its log has the cause under request id \(context.id).")
    }
}

extension Request {
    /// A browser loading a page (its `Accept` names HTML), not a script or an API client.
    var isPageNavigation: Bool {
        !uri.path.hasPrefix("/api/") && headers[values: .accept].contains { $0.contains("text/html") }
    }
}
