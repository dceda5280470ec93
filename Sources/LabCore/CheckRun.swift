import Foundation

/// The last time a lab's checks ran: each check's result and the points it earned, as the
/// student and their teacher see them.
public struct CheckRun: Sendable, Hashable, Codable {
    /// One check's outcome.
    public struct Result: Sendable, Hashable, Codable {
        public var name: String
        public var passed: Bool
        /// Earned: the check's points when it passed, else 0.
        public var points: Int
        public var maxPoints: Int
        /// The first lines of what the command printed, as text.
        public var output: String
        /// Why the check could not be judged (the VM stopped, the guest agent silent, a timeout), in words for the student.
        public var problem: String?

        public init(name: String, passed: Bool, points: Int, maxPoints: Int, output: String = "", problem: String? = nil) {
            self.name = name
            self.passed = passed
            self.points = points
            self.maxPoints = maxPoints
            self.output = output
            self.problem = problem
        }
    }

    public var instanceID: LabInstanceID
    public var userID: UserID
    public var courseID: CourseID?
    public var ranAt: Date
    public var results: [Result]
    /// When this run was handed in for a grade; nil for a student's own check.
    public var handedInAt: Date?

    public init(instanceID: LabInstanceID, userID: UserID, courseID: CourseID?, ranAt: Date, results: [Result], handedInAt: Date? = nil) {
        self.instanceID = instanceID
        self.userID = userID
        self.courseID = courseID
        self.ranAt = ranAt
        self.results = results
        self.handedInAt = handedInAt
    }

    public var score: Int { results.reduce(0) { $0 + $1.points } }
    public var maxScore: Int { results.reduce(0) { $0 + $1.maxPoints } }

    /// The results in a few lines, as the gradebook's comment.
    public var summary: String {
        results.map { result in
            let mark = result.passed ? "✓" : "✗"
            let why = result.problem.map { " (\($0))" } ?? ""
            return "\(mark) \(result.name): \(result.points)/\(result.maxPoints)\(why)"
        }.joined(separator: "\n")
    }
}

/// Where each lab's last check run is kept.
public protocol CheckRunRepository: Sendable {
    /// Keeps `run` as its lab's last.
    func save(_ run: CheckRun) async throws
    func latest(instanceID: LabInstanceID) async throws -> CheckRun?
    /// The last run of every lab of the course, for its page.
    func list(courseID: CourseID) async throws -> [CheckRun]
}
