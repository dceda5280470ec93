/// The audit trail: append-only.
public protocol AuditLog: Sendable {
    /// Appends an event and returns it with its sequence number.
    @discardableResult
    func append(_ event: AuditEvent) async throws -> AuditEvent
    /// The newest events matching `filter` first, older than sequence `before` when given, at most `limit`.
    func list(_ filter: AuditFilter, before: Int64?, limit: Int) async throws -> [AuditEvent]
}

/// Which audit events to list; nil fields match everything.
public struct AuditFilter: Sendable, Hashable {
    public var subject: String?
    public var actor: String?
    public var courseID: CourseID?

    public init(subject: String? = nil, actor: String? = nil, courseID: CourseID? = nil) {
        self.subject = subject
        self.actor = actor
        self.courseID = courseID
    }
}
