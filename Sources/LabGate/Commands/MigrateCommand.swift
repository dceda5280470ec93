import ArgumentParser
import Foundation
import Storage

/// `labgate migrate`: brings the database schema up to date.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations, then exit.",
        discussion: "Safe to run again and from several processes at once. Exit status 1 if the database cannot be reached."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let backends = try await Backends.open(config)
        let outcome: Result<String, any Error>
        do {
            let applied = try await backends.migrate()
            let version = try await Migrator(database: backends.database).appliedVersions().last ?? 0
            outcome = .success(applied.isEmpty
                ? "\(backends.databaseDescription): schema is up to date (version \(version))."
                : "\(backends.databaseDescription): applied migration(s) \(applied.map(String.init).joined(separator: ", ")); schema is at version \(version).")
        } catch {
            outcome = .failure(error)
        }
        await backends.close()
        switch outcome {
        case .success(let message):
            print(message)
        case .failure(let error):
            FileHandle.standardError.write(Data("labgate: migration failed on \(backends.databaseDescription): \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
