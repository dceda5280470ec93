import Foundation
import LabCore
import Logging

/// Writes the audit trail of what people change: one event per state-changing request,
/// succeeded or refused. A trail that cannot be written is logged, never the reason a
/// change that already happened is reported as failed.
struct AuditTrail: Sendable {
    let log: any AuditLog

    func record(_ event: AuditEvent, logger: Logger) async {
        do {
            try await log.append(event)
        } catch {
            logger.error("audit event not written", metadata: ["action": .string(event.action), "subject": .string(event.subject), "error": .string("\(error)")])
        }
    }
}
