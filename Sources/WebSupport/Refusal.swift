import HTTPTypes

/// A request refused for a reason a person can act on: one status, one code, one wording.
/// Each module's typed errors map to one (in the executable, at the edge), and it is shown
/// as a page (`HTMLPage.refusal`) or as the admin API's JSON error.
public struct Refusal: Error, Equatable, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [String: String]
    /// Seconds after which trying again may work (`Retry-After`), for a refusal that passes.
    public var retryAfter: Int?

    public init(status: HTTPResponse.Status, code: String, message: String, details: [String: String] = [:], retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    /// A browser whose session cookie is missing, stale or ended.
    public static let sessionRequired = Refusal(
        status: .unauthorized, code: "session_required",
        message: "Your session has expired or this browser did not open this page. Open the activity again from your course.")
    /// A form without the session's CSRF token: the page was older than the session.
    public static let staleForm = Refusal(status: .forbidden, code: "stale_form", message: "This page was out of date. Reload it and try again.")
}
