import Foundation

public typealias ClassSessionID = Identifier<ClassSession>

/// A meeting of a class that LabGate prepares labs for: by its start, each expected student's
/// lab is running and a pool of spares waits for those not on the roster yet.
public struct ClassSession: Sendable, Hashable, Codable {
    /// Who asked for the preparation.
    public enum Source: String, Sendable, Hashable, Codable {
        /// A teacher's "prepare for" on the course page, or an admin.
        case teacher
        /// One of the course's time windows.
        case window
        /// An event of the course's calendar in Moodle.
        case calendar
    }

    public var id: ClassSessionID
    public var courseID: CourseID
    public var environmentID: EnvironmentID
    public var startsAt: Date
    public var endsAt: Date
    /// The share of the roster's students expected, 1 to 100: how many personal labs are made.
    public var attendancePercent: Int
    /// Unowned labs for students without a prepared lab (not on the roster yet, or beyond the attendance).
    public var spares: Int
    /// The spares kept once the first `shrinkAfter` of the session has passed.
    public var spareBuffer: Int
    public var source: Source
    public var createdAt: Date
    /// The preparer's latest plan for it; nil until its first pass.
    public var plan: Plan?

    /// When the preparer means to do what, as it last worked it out: for the course page.
    public struct Plan: Sendable, Hashable, Codable {
        /// The labs it prepares: the expected students' and the spares.
        public var labs: Int
        public var cloningStarts: Date
        public var powerOn: Date
        /// When the last lab should be online, at the pace measured.
        public var expectedReady: Date

        public init(labs: Int, cloningStarts: Date, powerOn: Date, expectedReady: Date) {
            self.labs = labs
            self.cloningStarts = cloningStarts
            self.powerOn = powerOn
            self.expectedReady = expectedReady
        }
    }

    public init(
        id: ClassSessionID = .random(), courseID: CourseID, environmentID: EnvironmentID, startsAt: Date, endsAt: Date, attendancePercent: Int = 100,
        spares: Int = 0, spareBuffer: Int = 2, source: Source = .teacher, createdAt: Date, plan: Plan? = nil
    ) {
        self.plan = plan
        self.id = id
        self.courseID = courseID
        self.environmentID = environmentID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.attendancePercent = attendancePercent
        self.spares = spares
        self.spareBuffer = spareBuffer
        self.source = source
        self.createdAt = createdAt
    }

    /// How long after the start the spares are many: latecomers arrive within it.
    public static let shrinkAfter: TimeInterval = 15 * 60

    /// The personal labs for a roster of `students`: the attendance's share, rounded up.
    public func personalLabs(of students: Int) -> Int {
        (students * attendancePercent + 99) / 100
    }

    /// The spares wanted at `now`: all of them until `shrinkAfter` into the session, the buffer after it, none once it ended.
    public func sparesWanted(at now: Date) -> Int {
        if now >= endsAt { return 0 }
        return now >= startsAt.addingTimeInterval(Self.shrinkAfter) ? min(spares, spareBuffer) : spares
    }

    /// Whether the two share any moment.
    public func overlaps(_ other: ClassSession) -> Bool {
        startsAt < other.endsAt && other.startsAt < endsAt
    }

    /// What is wrong with the session as asked at `now`, in words for the teacher; empty when nothing.
    public func problems(at now: Date) -> [String] {
        var problems: [String] = []
        if startsAt <= now { problems.append("the class must start in the future") }
        if endsAt <= startsAt { problems.append("the class must end after it starts") }
        if endsAt.timeIntervalSince(startsAt) > 12 * 3600 { problems.append("a class lasts at most 12 hours") }
        if !(1...100).contains(attendancePercent) { problems.append("the expected attendance is a percentage from 1 to 100") }
        if !(0...500).contains(spares) { problems.append("spares are from 0 to 500") }
        if spareBuffer < 0 || spareBuffer > spares { problems.append("the spares kept after the first 15 minutes are from 0 to the number of spares") }
        return problems
    }
}

/// Why a class session was not stored.
public enum ClassSessionError: Error, Equatable, CustomStringConvertible {
    /// The course prepares this lab for another session at the same time.
    case overlaps(ClassSession)
    case invalid([String])

    public var description: String {
        switch self {
        case .overlaps(let other):
            "another prepared class of this lab overlaps it (\(Self.format(other.startsAt)) to \(Self.format(other.endsAt)) UTC); change or remove that one first"
        case .invalid(let problems): problems.joined(separator: "; ")
        }
    }

    private static func format(_ date: Date) -> String {
        String(ISO8601DateFormatter().string(from: date).prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}

/// The class sessions LabGate prepares labs for.
public protocol ClassSessionRepository: Sendable {
    /// Stores `session` unless one of its course and environment overlaps it (`ClassSessionError.overlaps`).
    func add(_ session: ClassSession) async throws
    /// The course's sessions that have not ended before `since`, by start.
    func list(courseID: CourseID, since: Date) async throws -> [ClassSession]
    /// Every session that has not been finished (cleaned up after its end), by start.
    func unfinished() async throws -> [ClassSession]
    /// Records the preparer's latest plan for the session.
    func savePlan(_ plan: ClassSession.Plan, of id: ClassSessionID) async throws
    /// Marks the session done: its unclaimed labs are gone.
    func finish(_ id: ClassSessionID, at: Date) async throws
    func find(id: ClassSessionID) async throws -> ClassSession?
    /// Removes the session; its prepared labs that nobody took are the caller's to remove.
    func remove(_ id: ClassSessionID) async throws
}
