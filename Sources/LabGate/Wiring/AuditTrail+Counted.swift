import LabCore
import Logging
import Metrics

extension AuditTrail {
    /// The trail on `log` under LabGate's policy: an event that cannot be written is logged
    /// and counted in `labgate_audit_write_failures_total`, and the request goes on.
    package static func counted(_ log: any AuditLog, logger: Logger) -> AuditTrail {
        AuditTrail(log: log) { event, error in
            Counter(label: "labgate_audit_write_failures_total").increment()
            logger.error(
                "audit event not written", metadata: ["action": .string(event.action), "subject": .string(event.subject), "error": .string("\(error)")])
        }
    }
}
