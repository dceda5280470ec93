import ArgumentParser
import Foundation
import LabCore
import LabGate

/// `labgate user`: LabGate's users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Act on LabGate's users.",
        subcommands: [EndSessions.self]
    )

    /// `labgate user end-sessions`.
    struct EndSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "end-sessions",
            abstract: "End every LabGate session of a user, in every browser; their next page needs a new launch from the course.",
            discussion: "Needs ephemeral.engine redis: on memory the sessions live inside `labgate serve` (use POST /api/v1/users/{user}/end-sessions).")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The user's LabGate id (as `labgate course show` and the audit trail name it).") var user: String

        func run() async throws {
            guard case .redis = try options.load().ephemeral else {
                FileHandle.standardError.write(
                    Data(
                        """
                        labgate: on ephemeral.engine memory the sessions live inside the `labgate serve` process, which this command cannot reach: \
                        use POST /api/v1/users/{user}/end-sessions (a token from `labgate token create`)\n
                        """.utf8))
                throw ExitCode(2)
            }
            try await AdminSession.run(options, audit: AuditedChange("user.end-sessions", "user/\(user)")) { _, backends in
                try await Administration(backends).endSessions(of: UserID(user))
            }
            print("every session of user \(user) is ended")
        }
    }
}
