import LTIGateway
import LabCore
import Provisioning

/// The job kinds this build of LabGate can run, by kind. Each domain module adds its own
/// here as it arrives (provisioning steps, Guacamole records, reaping).
package enum JobHandlers {
    /// Without `lti`, scores and roster readings are left on the queue for a worker that has them.
    static func all(backends: Backends, provisioning: ProvisioningRuntime, lti: LTIJobs? = nil) -> [String: JobWorker.Handler] {
        var handlers: [String: JobWorker.Handler] = [
            // Writes an audit event: lets an operator prove the queue and a worker work end to end.
            "labgate.audit": { job, _ in
                try await backends.repositories.audit.append(
                    AuditEvent(at: SystemClock().now(), actor: "worker", action: "job.audit", subject: "job/\(job.id)", detail: job.payload))
            }
        ]
        handlers.merge(Self.provisioning(provisioning.stack)) { $1 }
        if let lti {
            handlers[GradePassback.jobKind] = { job, _ in try await lti.grades.deliver(job) }
            handlers[RosterSync.jobKind] = { job, _ in try await lti.rosters.run(job) }
            handlers[StudentMessages.readyJobKind] = { job, _ in try await lti.messages.deliverReady(job) }
            handlers[StudentMessages.unusedJobKind] = { job, _ in try await lti.messages.deliverUnused(job) }
        }
        return handlers
    }

    /// The job kinds of a provisioning stack, for any worker (`serve`, `worker`, `simulate`).
    package static func provisioning(_ stack: ProvisioningStack) -> [String: JobWorker.Handler] {
        stack.jobs.mapValues { run in { job, _ in try await run(job) } }
    }
}
