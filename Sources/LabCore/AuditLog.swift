/// The audit trail: append-only.
public protocol AuditLog: Sendable {
    /// Appends an event and returns it with its sequence number.
    @discardableResult
    func append(_ event: AuditEvent) async throws -> AuditEvent
    /// The newest events first, at most `limit`, optionally only those about `subject`.
    func recent(limit: Int, subject: String?) async throws -> [AuditEvent]
}
