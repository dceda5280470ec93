import ArgumentParser
import LabGate
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
        let message = try await AdminSession.run(options, migrate: false) { _, backends in
            do {
                let applied = try await backends.migrate()
                let version = try await Migrator(database: backends.database).appliedVersions().last ?? 0
                return applied.isEmpty
                    ? "\(backends.databaseDescription): schema is up to date (version \(version))."
                    : "\(backends.databaseDescription): applied migration(s) \(applied.map(String.init).joined(separator: ", ")); schema is at version \(version)."
            } catch {
                throw DescribedFailure("migration failed on \(backends.databaseDescription): \(error)")
            }
        }
        print(message)
    }
}
