import Foundation
import LTIGateway
import LabCore

/// What Moodle's web services add to a course page: the timetable, the groups with their
/// members, each member's groups; and, for what is missing, why, in words naming the
/// function or the fault. Nothing here ever stops the page.
struct CourseFromMoodle: Sendable {
    /// A group of the course and the names of its members.
    struct Group: Sendable {
        var name: String
        var members: [String]
    }

    /// Why nothing is shown (no token, a token Moodle refuses); nil when the site answers.
    var unavailable: String?
    /// A line for each part that could not be read.
    var problems: [String] = []
    var events: [MoodleSite.Event] = []
    var groups: [Group] = []
    /// Each participant's groups by their Moodle user id, the `sub` of their launches.
    var groupsBySubject: [String: [String]] = [:]
    /// Whether the platform has web services at all (else the section says how to add them).
    var configured = true

    /// How far ahead the timetable looks.
    static let timetableSpan: TimeInterval = 14 * 24 * 3600

    static func load(_ course: Course, from services: MoodleWebServices, now: Date) async -> CourseFromMoodle {
        var view = CourseFromMoodle()
        switch await services.status(of: course.platformID) {
        case .notConfigured:
            view.configured = false
            return view
        case .failing(let error):
            view.unavailable = error.description
            return view
        case .ready:
            break
        }
        async let events = services.events(of: course, from: now.addingTimeInterval(-3600), to: now.addingTimeInterval(timetableSpan))
        async let groups = services.groups(of: course)
        async let participants = services.participants(of: course)
        do {
            view.events = try await events.filter { $0.end > now }
        } catch {
            view.problems.append("Timetable: \(error)")
        }
        var members: [Int: [String]] = [:]
        do {
            for participant in try await participants {
                let names = (participant.groups ?? []).map(\.name).sorted()
                view.groupsBySubject[String(participant.id)] = names
                for group in participant.groups ?? [] { members[group.id, default: []].append(participant.fullname ?? "user \(participant.id)") }
            }
        } catch {
            view.problems.append("Roles and groups of the participants: \(error)")
        }
        do {
            view.groups = try await groups.map { Group(name: $0.name, members: (members[$0.id] ?? []).sorted()) }
        } catch {
            view.problems.append("Groups: \(error)")
        }
        return view
    }
}
