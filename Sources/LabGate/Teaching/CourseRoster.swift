import Foundation
import LabCore

/// The course's people and their labs, a row per student's lab, as the teacher's table shows
/// them; with what was read to build it (every member, every environment), so the page reads
/// each once.
struct CourseRoster: Sendable {
    /// One student's lab (or none yet).
    struct Row: Sendable {
        var member: CourseMember
        var instance: LabInstance?
        var environment: LabCore.Environment?
        /// The last run of the lab's checks, if any.
        var lastRun: CheckRun?
        /// The checkpoints the student keeps in the lab, oldest first.
        var checkpoints: [LabCheckpoint] = []
    }

    var rows: [Row]
    /// Everyone who launched the course, teachers too.
    var members: [CourseMember]
    var environments: [LabCore.Environment]

    static func load(_ courseID: CourseID, from repositories: Repositories) async throws -> CourseRoster {
        let members = try await repositories.courses.members(of: courseID)
        let instances = try await repositories.instances.list(courseID: courseID)
        let environments = try await repositories.environments.list()
        let runs = Dictionary(try await repositories.checkRuns.list(courseID: courseID).map { ($0.instanceID, $0) }, uniquingKeysWith: { _, last in last })
        let checkpoints = Dictionary(grouping: try await repositories.checkpoints.list(courseID: courseID), by: \.instanceID)
        let byID = Dictionary(environments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [Row] = []
        for member in members where member.role == .student {
            let theirs = instances.filter { $0.userID == member.user.id }
            if theirs.isEmpty { rows.append(Row(member: member)) }
            for instance in theirs {
                rows.append(
                    Row(
                        member: member, instance: instance, environment: byID[instance.environmentID], lastRun: runs[instance.id],
                        checkpoints: checkpoints[instance.id] ?? []))
            }
        }
        return CourseRoster(rows: rows, members: members, environments: environments)
    }
}
