import Foundation

/// One person the platform lists as enrolled in a course (LTI Names and Role Provisioning).
public struct Enrolment: Sendable, Hashable, Codable {
    /// The platform's id of the person: the `sub` of their launches.
    public var subject: String
    public var name: String?
    public var email: String?
    public var roles: [String]
    /// Since when the platform no longer lists them; nil while it does.
    public var leftAt: Date?

    public init(subject: String, name: String? = nil, email: String? = nil, roles: [String], leftAt: Date? = nil) {
        self.subject = subject
        self.name = name
        self.email = email
        self.roles = roles
        self.leftAt = leftAt
    }

    /// A learner by LTI's context roles (full URIs or the short names Moodle may send).
    public var isLearner: Bool {
        roles.contains { $0.hasSuffix("membership#Learner") || $0 == "Learner" }
    }
}

/// A course's roster as LabGate last read it from the platform.
public struct EnrolmentList: Sendable, Hashable {
    /// Where the platform lists the course's members (the launch's NRPS claim).
    public var membershipsURL: String?
    /// When the list was last read in full.
    public var readAt: Date?
    /// Why the last reading failed, if it did (the list is then the one read before).
    public var problem: String?
    public var members: [Enrolment]

    public init(membershipsURL: String? = nil, readAt: Date? = nil, problem: String? = nil, members: [Enrolment] = []) {
        self.membershipsURL = membershipsURL
        self.readAt = readAt
        self.problem = problem
        self.members = members
    }
}

/// Where rosters are kept.
public protocol EnrolmentRepository: Sendable {
    func list(courseID: CourseID) async throws -> EnrolmentList
    /// Remembers where the platform lists the course's members.
    func setMembershipsURL(_ url: String, of courseID: CourseID) async throws
    /// Takes what the platform listed at `date` as the roster: new people join, people it no
    /// longer lists are marked as left (kept, never removed at once), returning ones rejoin.
    func replace(courseID: CourseID, with members: [Enrolment], at date: Date) async throws -> (joined: Int, left: Int)
    /// Courses whose roster the platform lists and that were not read since `before`, oldest first.
    func coursesToRead(readBefore before: Date, limit: Int) async throws -> [CourseID]
    /// Records why a reading failed, keeping the roster read before.
    func recordProblem(_ problem: String, courseID: CourseID, at date: Date) async throws
}
