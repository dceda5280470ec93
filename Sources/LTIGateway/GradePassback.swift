import Foundation
import LabCore
import Logging

/// Students' scores on their way to the platform's gradebook: each is recorded (so the
/// course page shows where it stands), queued as a job, and delivered by a worker, again
/// and again while the platform is away, for a day at most. A platform's refusal is
/// recorded in its words and not repeated. Its retries are jobs of their own, so the
/// queue's limit of attempts does not cut them short.
public final class GradePassback: Sendable {
    /// The job kind that delivers one score.
    public static let jobKind = "grade.score"
    /// How long delivery keeps trying while the platform does not answer.
    static let patience: TimeInterval = 86_400
    /// The highest score of LabGate's grades and of the columns it asks for.
    public static let scoreMaximum: Double = 100

    let repositories: Repositories
    let queue: any JobQueue
    let grades: AssignmentGrades
    let audit: AuditTrail
    /// The pause before the next attempt after failed attempt n (the queue's backoff).
    let retryDelay: @Sendable (Int) -> Duration
    let logger: Logger

    init(
        repositories: Repositories, queue: any JobQueue, grades: AssignmentGrades, audit: AuditTrail, retryDelay: @escaping @Sendable (Int) -> Duration,
        logger: Logger
    ) {
        self.repositories = repositories
        self.queue = queue
        self.grades = grades
        self.audit = audit
        self.retryDelay = retryDelay
        self.logger = logger
    }

    /// What a score says, as AGS names it.
    public struct Progress: Sendable, Equatable {
        public var activity: String
        public var grading: String

        /// The student opened the lab; nothing to grade yet.
        public static let started = Progress(activity: "Started", grading: "NotReady")
        /// Handed in, for the teacher to grade in the platform.
        public static let submitted = Progress(activity: "Submitted", grading: "PendingManual")
        /// Graded: by the lab's checks or by a teacher.
        public static let graded = Progress(activity: "Completed", grading: "FullyGraded")
    }

    /// Records a score of `userID` in `activityID` and queues its delivery: the grade as recorded.
    @discardableResult
    public func submit(
        _ progress: Progress, activityID: ActivityID, userID: UserID, scoreGiven: Double? = nil, scoreMaximum: Double? = nil, comment: String? = nil,
        actor: String, now: Date
    ) async throws -> Grade {
        let grade = try await repositories.grades.record(
            Grade(
                activityID: activityID, userID: userID, state: .pending, activityProgress: progress.activity, gradingProgress: progress.grading,
                scoreGiven: scoreGiven, scoreMaximum: scoreMaximum, comment: comment, timestamp: now, updatedAt: now))
        try await queue.enqueue(Job(kind: Self.jobKind, payload: try Delivery(grade: grade, attempt: 1).encoded()))
        let course = try await repositories.courses.activity(id: activityID)?.courseID
        await audit.record(
            AuditEvent(
                at: now, actor: actor, action: "grade.score", subject: "activity/\(activityID) user/\(userID)",
                detail: Self.describe(grade), courseID: course))
        return grade
    }

    /// `Started` when a student first opens the lab, while the gradebook holds nothing of
    /// theirs, for an activity that has a gradebook column.
    public func started(activityID: ActivityID, userID: UserID, now: Date) async throws {
        guard try await repositories.grades.find(activityID: activityID, userID: userID) == nil,
            let activity = try await repositories.courses.activity(id: activityID), activity.lineItemURL != nil || activity.lineItemsURL != nil
        else { return }
        try await submit(.started, activityID: activityID, userID: userID, actor: "user:\(userID)", now: now)
    }

    /// A student hands in their lab: the checks' last run as the grade (`Completed`, the
    /// results as the comment), or, with no checks, `Submitted` for the teacher to grade in the platform.
    @discardableResult
    public func handIn(_ run: CheckRun?, activityID: ActivityID, userID: UserID, now: Date) async throws -> Grade {
        guard let run, run.maxScore > 0 else {
            return try await submit(.submitted, activityID: activityID, userID: userID, actor: "user:\(userID)", now: now)
        }
        return try await submit(
            .graded, activityID: activityID, userID: userID, scoreGiven: Double(run.score), scoreMaximum: Double(run.maxScore), comment: run.summary,
            actor: "user:\(userID)", now: now)
    }

    static func describe(_ grade: Grade) -> String {
        var words = "\(grade.activityProgress)/\(grade.gradingProgress)"
        if let given = grade.scoreGiven, let maximum = grade.scoreMaximum { words += " \(given.formatted())/\(maximum.formatted())" }
        return words
    }
}

extension GradePassback {
    /// A job's payload: which score, and the how-manieth attempt this is.
    struct Delivery: Codable {
        var activity: String
        var user: String
        var timestampMS: Int64
        var attempt: Int

        init(grade: Grade, attempt: Int) {
            activity = grade.activityID.rawValue
            user = grade.userID.rawValue
            timestampMS = grade.timestamp.millisecondsSince1970
            self.attempt = attempt
        }

        func encoded() throws -> String { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
    }

    /// Runs one delivery job. It throws only when LabGate's own store fails (the queue then
    /// tries again); the platform's answers are recorded.
    public func deliver(_ job: Job, now: Date = Date()) async throws {
        guard let delivery = try? JSONDecoder().decode(Delivery.self, from: Data(job.payload.utf8)) else {
            logger.error("a grade job that cannot be read was dropped", metadata: ["job": .string(job.id.rawValue)])
            return
        }
        let (activityID, userID) = (ActivityID(delivery.activity), UserID(delivery.user))
        guard let grade = try await repositories.grades.find(activityID: activityID, userID: userID),
            grade.timestamp.millisecondsSince1970 == delivery.timestampMS, grade.state == .pending
        else { return }  // a newer score replaced this one, or it was settled already
        let outcome: (Grade.State, String?)
        do {
            try await send(grade, now: now)
            outcome = (.sent, nil)
        } catch .unavailable(let why) {
            if now.timeIntervalSince(grade.timestamp) < Self.patience {
                let delay = retryDelay(delivery.attempt)
                try await queue.enqueue(
                    Job(kind: Self.jobKind, payload: try Delivery(grade: grade, attempt: delivery.attempt + 1).encoded()), delay: delay)
                _ = try await repositories.grades.settle(
                    activityID: activityID, userID: userID, timestamp: grade.timestamp, state: .pending, detail: "waiting for the platform: \(why)", at: now)
                logger.notice("score waits for the platform", metadata: ["activity": .string(activityID.rawValue), "reason": .string(why)])
                return
            }
            outcome = (.refused, "the platform did not take it for a day: \(why)")
        } catch .notGranted(let scope) {
            outcome = (
                .noColumn,
                "the platform does not let LabGate send grades (\(scope) not granted): tick “Accept grades from the tool” in its settings, or register LabGate again"
            )
        } catch .badURL(let why) {
            outcome = (.noColumn, why)
        } catch .refused(let status, let words) {
            outcome = (.refused, "\(words) (HTTP \(status))")
        }
        _ = try await repositories.grades.settle(
            activityID: activityID, userID: userID, timestamp: grade.timestamp, state: outcome.0, detail: outcome.1, at: now)
        let course = try await repositories.courses.activity(id: activityID)?.courseID
        await audit.record(
            AuditEvent(
                at: now, actor: "worker", action: "grade.delivered", subject: "activity/\(activityID) user/\(userID)",
                detail: outcome.1.map { "\(Self.describe(grade)): \($0)" } ?? Self.describe(grade), courseID: course,
                outcome: outcome.0 == .sent ? .succeeded : .refused))
    }

    /// Finds the column (the launch's, or LabGate's own in the platform's list, made if
    /// missing) and posts the score to it.
    private func send(_ grade: Grade, now: Date) async throws(ServiceError) {
        let context: (Activity, Platform, User)
        do {
            guard let activity = try await repositories.courses.activity(id: grade.activityID),
                let course = try await repositories.courses.find(id: activity.courseID),
                let platform = try await repositories.platforms.find(id: course.platformID),
                let user = try await repositories.users.find(id: grade.userID)
            else { throw ServiceError.badURL("the activity, its course, its platform or the student is gone") }
            context = (activity, platform, user)
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .unavailable("LabGate's database: \(error)")
        }
        let (activity, platform, user) = context
        var lineItem = activity.lineItemURL
        if lineItem == nil, let lineItems = activity.lineItemsURL, activity.hasBeenLaunched {
            let made = try await grades.lineItem(
                in: lineItems, resourceLinkID: activity.resourceLinkID, label: activity.title, scoreMaximum: Self.scoreMaximum, platform: platform,
                now: now)
            do {
                try await repositories.courses.setGradebook(of: activity.id, lineItemURL: made, lineItemsURL: lineItems)
            } catch {
                throw .unavailable("LabGate's database: \(error)")
            }
            lineItem = made
        }
        guard let lineItem else {
            throw .badURL("the activity has no gradebook column: tick “Accept grades from the tool” in the activity's settings in Moodle, then open it once")
        }
        let score = Score(
            userId: user.subject, scoreGiven: grade.scoreGiven, scoreMaximum: grade.scoreMaximum, comment: grade.comment,
            timestamp: Score.timestamp(grade.timestamp), activityProgress: grade.activityProgress, gradingProgress: grade.gradingProgress)
        try await grades.post(score, to: lineItem, platform: platform, now: now)
    }
}
