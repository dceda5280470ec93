import LabCore
import Provisioning

/// The job kinds this build of LabGate can run, by kind. Each domain module adds its own
/// here as it arrives (provisioning steps, Guacamole records, reaping).
enum JobHandlers {
    static func all(backends: Backends, provisioning: ProvisioningRuntime) -> [String: JobWorker.Handler] {
        [
            // Writes an audit event: lets an operator prove the queue and a worker work end to end.
            "labgate.audit": { job, _ in
                try await backends.repositories.audit.append(
                    AuditEvent(at: SystemClock().now(), actor: "worker", action: "job.audit", subject: "job/\(job.id)", detail: job.payload))
            },
            Job.advanceLabInstanceKind: { job, _ in
                try await provisioning.lifecycle.advance(LabInstanceID(job.payload))
            },
        ]
    }

    /// What a dead-lettered job of each kind leaves behind is ended here.
    static func deadLetters(provisioning: ProvisioningRuntime) -> [String: JobWorker.DeadLetterHandler] {
        [Job.advanceLabInstanceKind: advanceGaveUp(provisioning.lifecycle)]
    }

    /// A lab whose job will not come back fails with the job's last error, whatever state it waited in.
    static func advanceGaveUp(_ lifecycle: LabLifecycle) -> JobWorker.DeadLetterHandler {
        { job, reason in try await lifecycle.abandon(LabInstanceID(job.payload), reason: reason) }
    }
}
