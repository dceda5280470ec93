import ArgumentParser
import Foundation
import LTIGateway
import LabGate
import Logging

/// What an admin subcommand runs on: the configured storage, migrated, closed afterwards.
/// Any failure becomes one line on standard error and exit status 1.
enum AdminSession {
    /// - Parameters:
    ///   - migrate: bring the schema up to date before `body` runs.
    ///   - audit: the change `body` makes, written to the audit trail with its outcome.
    static func run<T>(
        _ options: ConfigOptions, migrate: Bool = true, audit: AuditedChange? = nil, _ body: (LabGateConfig, Backends) async throws -> T
    ) async throws -> T {
        let config = try options.load()
        let backends = try await Backends.open(config)
        let outcome: Result<T, any Error>
        do {
            if migrate { try await backends.migrate() }
            outcome = .success(try await body(config, backends))
        } catch {
            outcome = .failure(error)
        }
        if let audit { await audit.record(outcome, in: backends, logger: config.logger(label: "labgate")) }
        await backends.close()
        switch outcome {
        case .success(let value):
            return value
        case .failure(let error as ExitCode):
            throw error
        case .failure(let error as AdminError):
            fail(AuditedChange.words(error))
        case .failure(let error):
            fail("\(error)")
        }
    }

    /// Prints `message` to standard error and exits with status 1.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("labgate: \(message)\n".utf8))
        Foundation.exit(1)
    }

    /// The tool's key ring on these backends, with the configured secret.
    static func toolKeys(_ config: LabGateConfig, _ backends: Backends) throws -> ToolKeyRing {
        ToolKeyRing(repository: backends.repositories.toolKeys, box: backends.box)
    }
}
