import Foundation
import LabCore
import Logging

/// Messages to students through Moodle (`core_message_send_instant_messages`), delivered by
/// a worker: a site that is down is asked again with the queue's backoff; a message Moodle
/// would not deliver (a user who blocks messages, say) is recorded in the audit trail, not retried.
public struct StudentMessages: Sendable {
    /// The job kind that tells a student their new lab is ready; its payload is the lab's id.
    public static let readyJobKind = "moodle.lab-ready"
    /// The job kind that warns a student their connected lab is unused; see `unusedPayload`.
    public static let unusedJobKind = "moodle.lab-unused"

    /// The lab's id and when it is paused (epoch seconds).
    public static func unusedPayload(_ id: LabInstanceID, pausesAt: Date) -> String {
        "\(id) \(Int(pausesAt.timeIntervalSince1970))"
    }

    let repositories: Repositories
    let webServices: MoodleWebServices
    let audit: AuditTrail
    let logger: Logger

    /// Runs one "your lab is ready" job. Throws when asking again later may succeed.
    public func deliverReady(_ job: Job, now: Date = Date()) async throws {
        guard let instance = try await repositories.instances.find(id: LabInstanceID(job.payload)), instance.state == .ready,
            let user = try await repositories.users.find(id: instance.userID)
        else { return }  // gone or changed since: nothing worth saying
        let (lab, course) = try await names(of: instance)
        let text = "Your lab \(lab) is ready. Go back to the activity\(course) and your desktop opens at once."
        try await send(
            text, about: instance, to: user, reference: "labgate-ready-\(instance.id)", action: "message.lab-ready", summary: "your lab is ready", now: now)
    }

    /// Runs one "your lab is unused" job: said only while the lab is still ready. Throws when asking again later may succeed.
    public func deliverUnused(_ job: Job, now: Date = Date()) async throws {
        let parts = job.payload.split(separator: " ")
        guard parts.count == 2, let epoch = TimeInterval(parts[1]),
            let instance = try await repositories.instances.find(id: LabInstanceID(String(parts[0]))), instance.state == .ready,
            let user = try await repositories.users.find(id: instance.userID)
        else { return }
        let (lab, course) = try await names(of: instance)
        let time = Date(timeIntervalSince1970: epoch).formatted(Date.ISO8601FormatStyle().time(includingFractionalSeconds: false))
        let text =
            "Your lab \(lab)\(course) is open but has not been used for a while. It will be paused at \(time) UTC unless you use it; "
            + "your files are kept, and opening the activity starts it again."
        try await send(
            text, about: instance, to: user, reference: "labgate-unused-\(instance.id)-\(parts[1])", action: "message.lab-unused",
            summary: "your lab is paused at \(time) UTC unless used", now: now)
    }

    /// The lab's title in quotes and ` in <course>`, as the messages name them.
    private func names(of instance: LabInstance) async throws -> (lab: String, course: String) {
        let environment = try await repositories.environments.find(id: instance.environmentID)
        let course = try await instance.courseID.asyncMap { try await repositories.courses.find(id: $0) } ?? nil
        return (environment.map { "“\($0.title)”" } ?? "", course.map { " in \($0.title)" } ?? "")
    }

    private func send(
        _ text: String, about instance: LabInstance, to user: User, reference: String, action: String, summary: String, now: Date
    ) async throws {
        let outcome: (AuditEvent.Outcome, String)
        do {
            let refusal = try await webServices.send(text, to: user.subject, platformID: user.platformID, reference: reference)
            outcome = refusal.map { (.refused, "Moodle did not deliver it: \($0)") } ?? (.succeeded, summary)
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
                at: now, actor: "worker", action: action, subject: "instance/\(instance.id) user/\(user.id)", detail: outcome.1,
                courseID: instance.courseID, outcome: outcome.0))
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
