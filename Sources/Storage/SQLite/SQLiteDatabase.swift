import Foundation
import LabCore
import NIOCore
import NIOPosix
import SQLiteNIO

/// SQLite, the embedded default: one connection in WAL mode, used by one caller at a time
/// (SQLite serializes writers anyway; the lock keeps a transaction's statements together).
///
/// The connection has a thread of its own. SQLite waits for another connection's write lock
/// by sleeping on the calling thread; on a pool shared by every connection in the process,
/// two such waits took both threads of a 2-core machine, and the transaction holding the lock
/// never got a thread to finish on: every SQLite call stalled until the busy timeouts ran out.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let connection: SQLiteConnection
    private let thread: NIOThreadPool
    private let lock = AsyncLock()

    private init(connection: SQLiteConnection, thread: NIOThreadPool) {
        self.connection = connection
        self.thread = thread
    }

    /// Opens (creating if needed) the database file at `path`, creating its folder too;
    /// `":memory:"` gives a private in-memory database.
    public static func open(path: String) async throws -> SQLiteDatabase {
        let storage: SQLiteConnection.Storage
        if path == ":memory:" {
            storage = .memory
        } else {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.unavailable(component: "database", reason: "cannot create the folder \(folder.path): \(error.localizedDescription)")
            }
            storage = .file(path: path)
        }
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        var opened: SQLiteDatabase?
        do {
            let connection = try await SQLiteConnection.open(storage: storage, threadPool: thread, on: MultiThreadedEventLoopGroup.singleton.any())
            let database = SQLiteDatabase(connection: connection, thread: thread)
            opened = database
            // The busy timeout first, so that even switching to WAL waits for another connection
            // (the CLI's, a test's) rather than failing; and long, because on a saturated machine
            // a writer's transaction can hold the file for seconds.
            for pragma in ["PRAGMA busy_timeout = 30000", "PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"] {
                _ = try await connection.query(pragma, [])
            }
            return database
        } catch {
            if let opened { await opened.shutdown() } else { try? await thread.shutdownGracefully() }
            throw StoreError.unavailable(component: "database", reason: "cannot open the SQLite file \(path): \(error)")
        }
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await lock.withLock { try await self.unlockedQuery(sql, binds) }
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await lock.withLock { try await self.unlockedExecute(sql, binds) }
    }

    public func withConnection<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await lock.withLock { try await body(LockedSQLite(database: self)) }
    }

    public func ping() async throws {
        _ = try await query("SELECT 1", [])
    }

    public func shutdown() async {
        try? await connection.close()
        try? await thread.shutdownGracefully()
    }

    fileprivate func unlockedQuery(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            let rows = try await connection.query(sql, binds.map(\.sqliteData))
            guard let first = rows.first else { return [] }
            var names: [String: Int] = [:]
            for (index, column) in first.columns.enumerated() where names[column.name] == nil {
                names[column.name] = index
            }
            let columns = SQLColumns(names)
            return rows.map { row in SQLRow(columns: columns, values: row.columns.map { SQLValue($0.data) }) }
        } catch let error as SQLiteError {
            throw Self.classify(error)
        }
    }

    fileprivate func unlockedExecute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        _ = try await unlockedQuery(sql, binds)
        let changes = try await unlockedQuery("SELECT changes() AS changes", [])
        return Int(changes.first?.optionalInt64("changes") ?? 0)
    }

    /// Maps an SQLite error to what callers can act on.
    static func classify(_ error: SQLiteError) -> StoreError {
        let text = "SQLite: \(error.message)"
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return .duplicate(text)
        case .constraintForeignKeyFailed: return .conflict(text)
        case .busy, .locked, .busyTimeout: return .retryable(text)
        case .constraint where error.message.contains("UNIQUE"): return .duplicate(text)
        case .constraint where error.message.contains("FOREIGN KEY"): return .conflict(text)
        default: return .failed(text)
        }
    }
}

/// The database inside its lock, for a transaction's or a session's statements.
private struct LockedSQLite: SQLExecutor {
    let database: SQLiteDatabase

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await database.unlockedQuery(sql, binds)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await database.unlockedExecute(sql, binds)
    }
}

extension SQLValue {
    fileprivate init(_ data: SQLiteData) {
        switch data {
        case .integer(let int): self = .int(Int64(int))
        case .float(let double): self = .double(double)
        case .text(let text): self = .text(text)
        case .blob(let buffer): self = .blob(Array(buffer.readableBytesView))
        case .null: self = .null
        }
    }

    fileprivate var sqliteData: SQLiteData {
        switch self {
        case .null: .null
        case .int(let int): .integer(SQLiteInt64(int))
        case .double(let double): .float(double)
        case .text(let text): .text(text)
        case .blob(let bytes): .blob(ByteBuffer(bytes: bytes))
        }
    }
}
