/// What a person may do in one course, as the platform's launch said.
public enum CourseRole: String, Sendable, Codable, CaseIterable, Comparable {
    case student
    case teacher

    public static func < (lhs: CourseRole, rhs: CourseRole) -> Bool {
        lhs == .student && rhs == .teacher
    }
}
