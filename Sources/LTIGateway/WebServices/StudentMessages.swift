import Foundation
import LabCore
import Logging

/// Messages to students through Moodle (`core_message_send_instant_messages`), delivered by
/// a worker: a site that is down is asked again with the queue's backoff; a message Moodle
/// would not deliver (a user who blocks messages, say) is recorded in the audit trail, not retried.
public struct StudentMessages: Sendable {
    /// The job kind that tells a student their new lab is ready; its payload is the lab's id.
    public static let readyJobKind = "moodle.lab-ready"

    let repositories: Repositories
    let webServices: MoodleWebServices
    let audit: AuditTrail
    let logger: Logger

    /// Runs one "your lab is ready" job. Throws when asking again later may succeed.
    public func deliverReady(_ job: Job, now: Date = Date()) async throws {
        guard let instance = try await repositories.instances.find(id: LabInstanceID(job.payload)), instance.state == .ready,
            let user = try await repositories.users.find(id: instance.userID)
        else { return }  // gone or changed since: nothing worth saying
        let environment = try await repositories.environments.find(id: instance.environmentID)
        let course = try await instance.courseID.asyncMap { try await repositories.courses.find(id: $0) } ?? nil
        let lab = environment.map { "“\($0.title)”" } ?? ""
        let text =
            "Your lab \(lab) is ready. Go back to the activity\(course.map { " in \($0.title)" } ?? "") and your desktop opens at once."
        let outcome: (AuditEvent.Outcome, String)
        do {
            let refusal = try await webServices.send(text, to: user.subject, platformID: user.platformID, reference: "labgate-ready-\(instance.id)")
            outcome = refusal.map { (.refused, "Moodle did not deliver it: \($0)") } ?? (.succeeded, "your lab is ready")
        } catch .notConfigured {
            return
        } catch let error where error.isTransient {
            logger.notice("a message waits for Moodle", metadata: ["instance": .string(instance.id.rawValue), "reason": .string(error.description)])
            throw error
        } catch {
            outcome = (.refused, error.description)
        }
        await audit.record(
            AuditEvent(
                at: now, actor: "worker", action: "message.lab-ready", subject: "instance/\(instance.id) user/\(user.id)", detail: outcome.1,
                courseID: instance.courseID, outcome: outcome.0))
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
