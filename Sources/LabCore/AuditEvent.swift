import Foundation

/// One entry of the audit trail: who did what to which thing, when, from where, and how it ended.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// How the action ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case succeeded
        /// Turned down: not allowed, invalid, over a quota.
        case refused
        /// Accepted but broke on the way.
        case failed
    }

    /// Assigned by the store; `nil` until the event is appended.
    public var sequence: Int64?
    public var at: Date
    /// Who acted: `token:<name>`, `user:<id>`, `cli:<account>`, `worker`, `reconciler`.
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String
    /// The course the subject belongs to, so its teachers see the event.
    public var courseID: CourseID?
    /// The client's network address, when the action came over HTTP.
    public var address: String?
    public var outcome: Outcome

    public init(
        sequence: Int64? = nil, at: Date, actor: String, action: String, subject: String, detail: String = "",
        courseID: CourseID? = nil, address: String? = nil, outcome: Outcome = .succeeded
    ) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
        self.courseID = courseID
        self.address = address
        self.outcome = outcome
    }
}
