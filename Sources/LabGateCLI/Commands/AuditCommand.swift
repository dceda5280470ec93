import ArgumentParser
import Foundation
import LabCore
import LabGate

/// `labgate audit`: the trail of what people changed.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the audit trail: who changed what, when, from where, and how it ended.",
        subcommands: [List.self]
    )

    /// `labgate audit list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit events, newest first.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this course's events.") var course: String?
        @Option(help: "Only this actor's: token:<name>, user:<id>, cli:<account>, worker.") var actor: String?
        @Option(help: "Only those on this subject, e.g. instance/<id>.") var subject: String?
        @Option(help: "Only those older than this sequence number (the first column), to page back.") var before: Int64?
        @Option(help: "At most this many, 1 to 500.") var limit: Int = 100

        func validate() throws {
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
        }

        func run() async throws {
            let events = try await AdminSession.run(options) { _, backends in
                try await backends.repositories.audit.list(
                    AuditFilter(subject: subject, actor: actor, courseID: course.map(CourseID.init)), before: before, limit: limit)
            }
            if events.isEmpty { print("no audit events") }
            for event in events {
                print(
                    [
                        event.sequence.map(String.init) ?? "-", event.at.formatted(.iso8601), event.actor, event.action, event.subject,
                        event.outcome.rawValue, event.address ?? "-", event.detail,
                    ].joined(separator: "\t"))
            }
        }
    }
}
