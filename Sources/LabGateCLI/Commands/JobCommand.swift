import ArgumentParser
import Foundation
import LabCore
import LabGate

/// `labgate job`: the jobs that failed too often and wait for a person.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "List the jobs that failed too often, and put one back on the queue.",
        subcommands: [List.self, Retry.self]
    )

    /// `labgate job list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the failed jobs: id, kind, attempts, why the last one failed.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try JobCommand.requireSharedQueue(options)
            let letters = try await AdminSession.run(options) { _, backends in try await backends.queue.deadLetters(limit: 500) }
            if letters.isEmpty { print("no failed jobs") }
            for letter in letters {
                print([letter.job.id.rawValue, letter.job.kind, "attempts \(letter.attempts)", letter.reason, letter.job.payload].joined(separator: "\t"))
            }
        }
    }

    /// `labgate job retry ID`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a failed job back on the queue, with its attempts counted from zero.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The job's id (labgate job list shows them).") var id: String

        func run() async throws {
            try JobCommand.requireSharedQueue(options)
            try await AdminSession.run(options, audit: AuditedChange("job.retry", "job/\(id)")) { _, backends in
                try await Administration(backends).retry(job: id)
            }
            print("job \(id) is queued again")
        }
    }

    /// The in-process queue lives inside `labgate serve`: a command of its own would see an
    /// empty one and say, wrongly, that nothing failed.
    static func requireSharedQueue(_ options: ConfigOptions) throws {
        guard case .memory = try options.load().ephemeral else { return }
        FileHandle.standardError.write(
            Data(
                """
                labgate: on ephemeral.engine memory the job queue lives inside the `labgate serve` process, which this command cannot see:             its failed jobs are at GET /api/v1/jobs and POST /api/v1/jobs/{job}/retry (a token from `labgate token create`);             with ephemeral.engine redis this command reads the shared queue

                """.utf8))
        throw ExitCode(2)
    }
}
