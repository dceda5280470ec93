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
        /// How a ready lab's desktop is used now (nil when Guacamole's history could not be read).
        var use: Use?
    }

    /// Whether a ready lab's student is on its desktop, as Guacamole's history says.
    enum Use: Sendable, Equatable {
        case connected
        case idle(since: Date)
    }

    var rows: [Row]
    /// Everyone who launched the course, teachers too.
    var members: [CourseMember]
    var environments: [LabCore.Environment]

    static func load(_ courseID: CourseID, from repositories: Repositories, desktops: any RemoteDesktops) async throws -> CourseRoster {
        let members = try await repositories.courses.members(of: courseID)
        let instances = try await repositories.instances.list(courseID: courseID)
        let ready = instances.filter { $0.state == .ready }
        // The page stays useful without Guacamole's history: it only loses the column's words.
        var activity: [LabInstanceID: DesktopActivity]?
        if let earliest = ready.map(\.updatedAt).min() { activity = try? await desktops.activity(since: earliest) }
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
                        checkpoints: checkpoints[instance.id] ?? [], use: instance.state == .ready ? activity.map { Self.use(of: instance, $0) } : nil))
            }
        }
        return CourseRoster(rows: rows, members: members, environments: environments)
    }

    /// Connected while a session is open; otherwise idle since the last session ended, or since the lab became ready.
    private static func use(of instance: LabInstance, _ activity: [LabInstanceID: DesktopActivity]) -> Use {
        guard let theirs = activity[instance.id] else { return .idle(since: instance.updatedAt) }
        if !theirs.openSince.isEmpty { return .connected }
        return .idle(since: max(instance.updatedAt, theirs.lastEnded ?? instance.updatedAt))
    }
}
