/// Writes the audit trail of what people and LabGate change, with one policy for every
/// writer: an event that cannot be written goes to `failed` (the wiring logs and counts it)
/// and is never the reason a change that already happened is reported as failed.
public struct AuditTrail: Sendable {
    let log: any AuditLog
    let failed: @Sendable (AuditEvent, any Error) -> Void

    public init(log: any AuditLog, failed: @escaping @Sendable (AuditEvent, any Error) -> Void) {
        self.log = log
        self.failed = failed
    }

    public func record(_ event: AuditEvent) async {
        do {
            try await log.append(event)
        } catch {
            failed(event, error)
        }
    }
}
