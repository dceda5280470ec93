/// A group of a course on its platform (a Moodle group): its members work as a team.
public struct CourseGroup: Sendable, Hashable {
    /// The platform's id of the group, as text.
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// The groups of courses as their platforms keep them, for team labs that give each group
/// a network of its own.
public protocol CourseGroups: Sendable {
    /// The group `user` works in within `course`, or nil when they are in none; a student in
    /// several works in the one the platform made first. Throws `CourseGroupsError`.
    func group(of user: UserID, in course: CourseID) async throws -> CourseGroup?
}

/// Why a course's groups could not be read.
public struct CourseGroupsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in words an admin can act on.
    public var reason: String
    /// Whether asking again later may succeed on its own (the platform was away).
    public var isTransient: Bool

    public init(_ reason: String, isTransient: Bool) {
        self.reason = reason
        self.isTransient = isTransient
    }

    public var description: String {
        "this environment gives each of the course's groups a network of its own, and the course's groups cannot be read: \(reason)"
    }
}
