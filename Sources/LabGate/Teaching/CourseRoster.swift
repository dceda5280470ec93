import Foundation
import LabCore

/// The course's students and their labs, a row each, as the teacher's table shows them.
struct CourseRoster: Sendable {
    /// One student's lab (or none yet).
    struct Row: Sendable {
        var member: CourseMember
        var instance: LabInstance?
        var environment: LabCore.Environment?
    }

    var rows: [Row]

    static func load(_ courseID: CourseID, from repositories: Repositories) async throws -> CourseRoster {
        let members = try await repositories.courses.members(of: courseID).filter { $0.role == .student }
        let instances = try await repositories.instances.list(courseID: courseID)
        var environments: [EnvironmentID: LabCore.Environment] = [:]
        for environment in try await repositories.environments.list() { environments[environment.id] = environment }
        var rows: [Row] = []
        for member in members {
            let theirs = instances.filter { $0.userID == member.user.id }
            if theirs.isEmpty { rows.append(Row(member: member)) }
            for instance in theirs { rows.append(Row(member: member, instance: instance, environment: environments[instance.environmentID])) }
        }
        return CourseRoster(rows: rows)
    }
}
