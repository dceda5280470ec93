import ArgumentParser
import LabCore
import LabGate

/// `labgate activity`: the activities of a course (LTI resource links) and the environments they open.
struct ActivityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activity",
        abstract: "List a course's activities and choose the environment one opens.",
        subcommands: [List.self, SetEnvironment.self]
    )

    /// `labgate activity list --course ID`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a course's activities: id, title, LMS resource link, environment.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The course's id (labgate course list shows them).") var course: String

        func run() async throws {
            let rows = try await AdminSession.run(options) { _, backends in
                guard try await backends.repositories.courses.find(id: CourseID(course)) != nil else {
                    throw AdminError.notFound("course \(course) (see labgate course list)")
                }
                let names = Dictionary(uniqueKeysWithValues: try await backends.repositories.environments.list().map { ($0.id, $0.name) })
                return try await backends.repositories.courses.activities(of: CourseID(course)).map { activity in
                    [
                        activity.id.rawValue, activity.title, "link \(activity.resourceLinkID)",
                        activity.environmentID.map { names[$0] ?? $0.rawValue } ?? "no environment",
                    ]
                }
            }
            if rows.isEmpty { print("no activities in course \(course) yet") }
            for row in rows { print(row.joined(separator: "\t")) }
        }
    }

    /// `labgate activity set-environment ID NAME`.
    struct SetEnvironment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-environment", abstract: "Choose the environment an activity opens, or --none to unbind it.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The activity's id.") var id: String
        @Argument(help: "The environment's name (labgate env list).") var environment: String?
        @Flag(help: "Unbind: students are told their teacher has not chosen a lab yet.") var none = false

        func validate() throws {
            guard (environment == nil) == none else { throw ValidationError("give an environment's name, or --none, not both") }
        }

        func run() async throws {
            try await AdminSession.run(options, audit: AuditedChange("activity.set-environment", "activity/\(id)")) { _, backends in
                _ = try await Administration(backends).setEnvironment(of: ActivityID(id), to: environment)
            }
            print("activity \(id) opens \(environment ?? "no environment")")
        }
    }
}
