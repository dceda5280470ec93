import LabCore

/// What a session lets a person do: a student, a teacher, or an admin of the platform.
public enum LaunchRole: String, Codable, Sendable, Comparable {
    case student
    case teacher
    /// An institution or system administrator of the platform: may steer every course of it.
    case admin

    public static func < (lhs: LaunchRole, rhs: LaunchRole) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .student: 0
        case .teacher: 1
        case .admin: 2
        }
    }

    /// The role this gives in the course itself; an admin steers a course as its teacher.
    public var courseRole: CourseRole {
        self == .student ? .student : .teacher
    }
}
