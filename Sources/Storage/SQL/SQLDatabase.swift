import LabCore

/// Runs statements. Every statement is prepared with `?` placeholders: values are bound,
/// never spliced into the SQL text.
public protocol SQLExecutor: Sendable {
    /// Runs a statement that returns rows.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs a statement and returns how many rows it matched (found, not only changed).
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int
}

/// A relational database: MariaDB or SQLite, behind one interface so each repository's
/// SQL is written once for both.
public protocol SQLDatabase: SQLExecutor {
    /// What differs between the engines' SQL.
    var dialect: SQLDialect { get }
    /// Runs `body` on one connection held for its whole duration (session state such as
    /// locks stays with it).
    func withConnection<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Throws `StoreError.unavailable` if the database cannot be reached.
    func ping() async throws
    /// Closes every connection; the database cannot be used afterwards.
    func shutdown() async
}

extension SQLExecutor {
    func query(_ sql: String, _ binds: SQLValue...) async throws -> [SQLRow] {
        try await query(sql, binds)
    }

    @discardableResult
    func execute(_ sql: String, _ binds: SQLValue...) async throws -> Int {
        try await execute(sql, binds)
    }
}

extension SQLDatabase {
    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    /// A deadlock victim is run again, up to six times in all, after a short random wait.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await retryingWhenAsked {
            try await withConnection { connection in
                try await connection.execute(dialect.beginTransaction, [])
                do {
                    let result = try await body(connection)
                    try await connection.execute("COMMIT", [])
                    return result
                } catch {
                    _ = try? await connection.execute("ROLLBACK", [])
                    throw error
                }
            }
        }
    }
}

/// Runs `work` again, up to six times in all, while the engine asks for a retry
/// (`StoreError.retryable`: a deadlock victim, a lock wait that timed out, a Galera
/// certification failure). Only for work the engine rolled back whole: a transaction, or
/// one statement outside any.
func retryingWhenAsked<T>(_ work: () async throws -> T) async throws -> T {
    var attempt = 1
    while true {
        do {
            return try await work()
        } catch let error as StoreError {
            guard case .retryable = error, attempt < 6 else { throw error }
            // Deadlocked writers that retry at once tend to collide again: back off a random, growing while.
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...25) * attempt))
            attempt += 1
        }
    }
}
