import Foundation
import LabCore

/// Brings a database's schema up to date: applies, in order, the migrations it has not had.
/// Safe to run from several processes at once (MariaDB serializes them with a named lock)
/// and to run again (nothing happens).
public struct Migrator: Sendable {
    private let database: any SQLDatabase
    private let migrations: [Migration]

    public init(database: any SQLDatabase) {
        self.init(database: database, migrations: Migration.all)
    }

    init(database: any SQLDatabase, migrations: [Migration]) {
        self.database = database
        self.migrations = migrations
    }

    /// Applies what is missing and returns the versions it applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let dialect = database.dialect
        let migrations = migrations
        return try await database.withConnection { connection in
            if let lock = dialect.migrationLock {
                // Up to two minutes in waits of a few seconds (the lock query's own timeout).
                var locked = false
                for _ in 0..<24 where !locked {
                    locked = try await connection.query(lock.take, []).first?.optionalInt64("locked") == 1
                }
                guard locked else { throw StoreError.retryable("another process has been migrating the database for two minutes") }
            }
            do {
                let applied = try await Self.apply(migrations, dialect: dialect, on: connection)
                if let lock = dialect.migrationLock { _ = try await connection.query(lock.release, []) }
                return applied
            } catch {
                if let lock = dialect.migrationLock { _ = try? await connection.query(lock.release, []) }
                throw error
            }
        }
    }

    /// The versions already applied, in order.
    public func appliedVersions() async throws -> [Int] {
        try await Self.ensureHistoryTable(dialect: database.dialect, on: database)
        return try await database.query("SELECT version FROM schema_migrations ORDER BY version", [])
            .map { try $0.int("version") }
    }

    private static func apply(_ migrations: [Migration], dialect: SQLDialect, on connection: any SQLExecutor) async throws -> [Int] {
        try await ensureHistoryTable(dialect: dialect, on: connection)
        let done = Set(try await connection.query("SELECT version FROM schema_migrations", []).map { try $0.int("version") })
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            for statement in migration.statements(dialect) {
                do {
                    try await connection.execute(statement, [])
                } catch let error as StoreError where Self.isRepeatedColumn(error, statement: statement, dialect: dialect) {
                    continue
                }
            }
            try await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [.int(Int64(migration.version)), .text(migration.name), .time(Date())]
            )
            applied.append(migration.version)
        }
        return applied
    }

    /// An `ADD COLUMN` run again on an engine without `IF NOT EXISTS`: the column is there, which is the goal.
    private static func isRepeatedColumn(_ error: StoreError, statement: String, dialect: SQLDialect) -> Bool {
        !dialect.addColumnIfNotExists && statement.hasPrefix("ALTER TABLE") && "\(error)".contains("duplicate column name")
    }

    private static func ensureHistoryTable(dialect: SQLDialect, on executor: any SQLExecutor) async throws {
        try await executor.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER NOT NULL PRIMARY KEY,
                name VARCHAR(255) NOT NULL,
                applied_at BIGINT NOT NULL
            )\(dialect.tableOptions)
            """, [])
    }
}
