import LabCore

/// MariaDB through libmariadb: a bounded pool of connections whose blocking calls run on
/// the pool's own threads.
public final class MariaDBDatabase: SQLDatabase {
    public let dialect = SQLDialect.mariaDB
    private let pool: ConnectionPool<MariaDBConnection>

    public init(settings: MariaDBSettings) {
        pool = ConnectionPool(component: "database", size: settings.poolSize, acquireTimeout: settings.acquireTimeout) {
            try MariaDBConnection.connect(settings)
        }
    }

    // A statement outside a transaction that the server rolled back (a deadlock, a lock wait
    // timeout, a Galera conflict) had no effect, so it runs again.
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await retryingWhenAsked { try await pool.run { try $0.run(sql, binds).rows } }
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await retryingWhenAsked { try await pool.run { try $0.run(sql, binds).matched } }
    }

    public func withConnection<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            try await body(PinnedMariaDBConnection(connection: connection, pool: pool))
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
    let pool: ConnectionPool<MariaDBConnection>

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await pool.onThread { try connection.run(sql, binds).rows }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await pool.onThread { try connection.run(sql, binds).matched }
    }
}
