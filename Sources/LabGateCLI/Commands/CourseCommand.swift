import ArgumentParser
import Foundation
import LabCore
import LabGate

/// `labgate course`: the courses LTI launches made, and the activities in them.
struct CourseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "course",
        abstract: "List courses and show one with its activities, settings and what its labs hold.",
        subcommands: [List.self, Show.self]
    )

    /// `labgate course list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the courses: id, title, platform, deployment, LMS context.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let courses = try await AdminSession.run(options) { _, backends in
                var all: [Course] = []
                var page = try await backends.repositories.courses.page(after: nil, limit: 500)
                while !page.isEmpty {
                    all += page
                    page = try await backends.repositories.courses.page(after: all.last?.id, limit: 500)
                }
                return all
            }
            if courses.isEmpty { print("no courses yet: a course appears with its first launch") }
            for course in courses {
                print(
                    [course.id.rawValue, course.title, "platform \(course.platformID)", "deployment \(course.deploymentID)", "context \(course.contextID)"]
                        .joined(separator: "\t"))
            }
        }
    }

    /// `labgate course show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a course: its activities and their environments, its settings and usage.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The course's id.") var id: String

        func run() async throws {
            let text = try await AdminSession.run(options) { _, backends in
                let courses = backends.repositories.courses
                guard let course = try await courses.find(id: CourseID(id)) else { throw AdminError.notFound("course \(id) (see labgate course list)") }
                let environments = Dictionary(uniqueKeysWithValues: try await backends.repositories.environments.list().map { ($0.id, $0.name) })
                let settings = try await courses.settings(of: course.id)
                let usage = try await backends.repositories.instances.usage(of: .course(course.id))
                var lines = ["\(course.id)\t\(course.title)", "activities:"]
                for activity in try await courses.activities(of: course.id) {
                    lines.append("  \(activity.id)\t\(activity.title)\t\(activity.environmentID.map { environments[$0] ?? $0.rawValue } ?? "no environment")")
                }
                let sizes = [
                    ("cores", settings.cores), ("memory MiB", settings.memoryMiB), ("lifetime min", settings.lifetimeMinutes),
                    ("idle timeout min", settings.idleTimeoutMinutes), ("VLAN", settings.vlan),
                ]
                lines.append("settings:\t" + sizes.map { "\($0.0) \($0.1.map(String.init) ?? "default")" }.joined(separator: ", "))
                lines.append(
                    "time zone:\t\(settings.timeZone)\twindows: \(settings.windows.isEmpty ? "always open" : settings.windows.map { "\($0.start) to \($0.end)" }.joined(separator: ", "))"
                )
                lines.append("running:\t\(usage.instances) instances, \(usage.cores) cores, \(usage.memoryMiB) MiB")
                return lines.joined(separator: "\n")
            }
            print(text)
        }
    }
}
