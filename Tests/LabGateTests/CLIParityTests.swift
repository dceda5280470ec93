import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import LabGate
@testable import LabGateCLI

/// The CLI does what the API does, in the same words, and leaves the same audit trail.
@Suite("labgate CLI parity with the API")
struct CLIParityTests {
    func labgate(_ arguments: [String], in folder: String) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run(CommandLineTests.binary, arguments, in: folder)
    }

    /// The subcommand reached by `words` (e.g. `quota set`), if there is one.
    static func command(_ words: String) -> (any ParsableCommand.Type)? {
        var command: any ParsableCommand.Type = LabGateCommand.self
        for word in words.split(separator: " ") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { return nil }
            command = next
        }
        return command
    }

    @Test("every operation of the API's route table but the document has the CLI commands the table names")
    func everyRouteHasItsCommand() async throws {
        try await LTITestbed.run { (bed) async throws in
            for route in AdminAPITests.routes(bed) where route.operationID != "getDocument" {
                #expect(!route.commands.isEmpty, "\(route.operationID) names no CLI command")
                for words in route.commands {
                    #expect(Self.command(words) != nil, "\(route.operationID): labgate \(words) does not exist")
                }
            }
        }
        #expect(Self.command("quota nothing") == nil)
    }

    @Test("quotas, tokens and jobs from the CLI: the API's checks, each change in the audit trail as cli:<account>")
    func quotasTokensJobs() async throws {
        let folder = try CommandLineTests().scratchFolder()
        let set = try await labgate(["quota", "set", "courses", "--instances", "30", "--memory-mib", "65536"], in: folder)
        #expect(set.status == 0, "\(set.error)")
        #expect(try await labgate(["quota", "list"], in: folder).output.contains("courses\tinstances 30\tcores -\tmemory MiB 65536"))
        let negative = try await labgate(["quota", "set", "students", "--memory-mib=-1"], in: folder)
        #expect(negative.status == 1 && negative.error.contains("--memory-mib must be from 0 to 1000000000"), "\(negative.error)")
        let badScope = try await labgate(["quota", "set", "course:"], in: folder)
        #expect(badScope.status != 0 && badScope.error.contains("scope"))
        #expect(try await labgate(["quota", "remove", "courses"], in: folder).status == 0)
        let gone = try await labgate(["quota", "remove", "courses"], in: folder)
        #expect(gone.status == 1 && gone.error.contains("there is no quota for courses"))

        #expect(try await labgate(["token", "create", "--name", "ops", "--scope", "write"], in: folder).status == 0)
        #expect(try await labgate(["token", "revoke", "ops"], in: folder).status == 0)
        // The in-process queue lives in `labgate serve`: the command says where to look instead of "no failed jobs".
        for command in [["job", "list"], ["job", "retry", "no-such-job"]] {
            let refused = try await labgate(command, in: folder)
            #expect(refused.status == 2 && refused.error.contains("its failed jobs are at GET /api/v1/jobs"), "\(refused.error)")
        }

        let trail = try await labgate(["audit", "list", "--limit", "20"], in: folder)
        let lines = trail.output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        // Newest first: sequence, time, actor, action, subject, outcome, address, detail.
        #expect(
            lines.map { "\($0[3]) \($0[4]) \($0[5])" } == [
                "token.revoke token/ops succeeded", "token.create token/ops succeeded",
                "quota.remove quota/courses refused", "quota.remove quota/courses succeeded", "quota.set quota/students refused",
                "quota.set quota/courses succeeded",
            ])
        #expect(lines.allSatisfy { $0[2] == "cli:" + ProcessInfo.processInfo.userName })
        #expect(lines[4][7].contains("--memory-mib must be"))
        #expect(try await labgate(["audit", "list", "--subject", "token/ops"], in: folder).output.split(separator: "\n").count == 2)
        #expect(try await labgate(["audit", "list", "--limit", "0"], in: folder).error.contains("--limit must be from 1 to 500"))
    }
}
