import WebSupport

extension LaunchRole {
    /// The strongest role the LTI roles grant, or nil if none of them means anything to LabGate.
    ///
    /// Context roles (full URIs or the short names LTI 1.3 still allows): Instructor,
    /// TeachingAssistant (a sub-role of Instructor), ContentDeveloper and Administrator
    /// make a teacher; Learner a student. Institution and system Administrator make an admin.
    public init?(ltiRoles: [String]) {
        var best: LaunchRole?
        for role in ltiRoles {
            guard let mapped = Self.map(role) else { continue }
            if best.map({ $0 < mapped }) ?? true { best = mapped }
        }
        guard let best else { return nil }
        self = best
    }

    private static let membership = "http://purl.imsglobal.org/vocab/lis/v2/membership"

    private static func map(_ role: String) -> LaunchRole? {
        switch role {
        case "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
            "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator":
            return .admin
        default:
            break
        }
        let name: Substring
        if role.hasPrefix(membership + "#") {
            name = role.dropFirst(membership.count + 1)
        } else if role.hasPrefix(membership + "/") {
            // A sub-role such as membership/Instructor#TeachingAssistant counts as its principal role.
            name = role.dropFirst(membership.count + 1).split(separator: "#").first ?? ""
        } else if !role.contains(":") {
            name = Substring(role)
        } else {
            return nil
        }
        switch name {
        case "Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator": return .teacher
        case "Learner": return .student
        default: return nil
        }
    }
}
