import LabCore

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
}
