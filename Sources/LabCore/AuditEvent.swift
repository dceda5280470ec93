import Foundation

/// One entry of the audit trail: who did what to which thing, and when.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// Assigned by the store; `nil` until the event is appended.
    public var sequence: Int64?
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String

    public init(sequence: Int64? = nil, at: Date, actor: String, action: String, subject: String, detail: String = "") {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}
