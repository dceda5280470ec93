import LabCore

/// MariaDB through its client/server protocol on NIO's event loops, with a bounded pool of
/// connections.
public final class MariaDBDatabase: SQLDatabase {
    public let dialect = SQLDialect.mariaDB
    private let pool: ConnectionPool<MariaDBConnection>

    public init(settings: MariaDBSettings) {
        pool = ConnectionPool(
            component: "database", size: settings.poolSize, acquireTimeout: settings.acquireTimeout,
            open: { try await MariaDBConnection.connect(settings) }, close: { $0.close() })
    }

    // A statement outside a transaction that the server rolled back (a deadlock, a lock wait
    // timeout, a Galera conflict) had no effect, so it runs again.
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await retryingWhenAsked { try await pool.withConnection { try await $0.run(sql, binds).rows } }
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await retryingWhenAsked { try await pool.withConnection { try await $0.run(sql, binds).matched } }
    }

    public func withConnection<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            try await body(PinnedMariaDBConnection(connection: connection))
        }
    }

    public func ping() async throws {
        _ = try await query("SELECT 1", [])
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}

/// One connection held across several statements (a transaction, a session lock).
private struct PinnedMariaDBConnection: SQLExecutor {
    let connection: MariaDBConnection

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await connection.run(sql, binds).rows
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await connection.run(sql, binds).matched
    }
}
