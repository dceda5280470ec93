import Foundation

/// Where one student's grade for one activity stands in the platform's gradebook: what
/// LabGate last sent (or tries to send), and what the platform made of it.
public struct Grade: Sendable, Hashable, Codable {
    /// The delivery of the last score.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Queued or waiting for the platform to answer.
        case pending
        case sent
        /// The platform refused it for good (its words are in `detail`).
        case refused
        /// The activity has no gradebook column LabGate may write to (`detail` says why).
        case noColumn = "no-column"
    }

    public var activityID: ActivityID
    public var userID: UserID
    public var state: State
    /// The last score's progress, as AGS names it (`Started`, `Submitted`, `Completed`…).
    public var activityProgress: String
    /// `NotReady`, `PendingManual`, `FullyGraded`…
    public var gradingProgress: String
    public var scoreGiven: Double?
    public var scoreMaximum: Double?
    public var comment: String?
    /// The last score's timestamp: the next one must be at least a second later (platforms
    /// compare whole seconds and refuse one that is not newer).
    public var timestamp: Date
    /// The platform's words for a refusal, or why delivery waits.
    public var detail: String?
    public var updatedAt: Date

    public init(
        activityID: ActivityID, userID: UserID, state: State, activityProgress: String, gradingProgress: String, scoreGiven: Double? = nil,
        scoreMaximum: Double? = nil, comment: String? = nil, timestamp: Date, detail: String? = nil, updatedAt: Date
    ) {
        self.activityID = activityID
        self.userID = userID
        self.state = state
        self.activityProgress = activityProgress
        self.gradingProgress = gradingProgress
        self.scoreGiven = scoreGiven
        self.scoreMaximum = scoreMaximum
        self.comment = comment
        self.timestamp = timestamp
        self.detail = detail
        self.updatedAt = updatedAt
    }

    /// Whether the platform holds (or will hold) a grade a progress-only score would clear:
    /// a graded score, or a hand-in waiting for the teacher. After that only grades are sent.
    public var isFinal: Bool { gradingProgress == "FullyGraded" || gradingProgress == "PendingManual" }
}

/// Where grades are kept.
public protocol GradeRepository: Sendable {
    func find(activityID: ActivityID, userID: UserID) async throws -> Grade?
    /// Saves `grade` as the newest score of its student, with a timestamp at least a second
    /// after the one before (`grade.timestamp` or later): the grade as saved.
    func record(_ grade: Grade) async throws -> Grade
    /// Sets the delivery state of the score with this timestamp; false when a newer score replaced it.
    func settle(activityID: ActivityID, userID: UserID, timestamp: Date, state: Grade.State, detail: String?, at: Date) async throws -> Bool
    /// The course's grades, for its page.
    func list(courseID: CourseID) async throws -> [Grade]
}
