import CMariaDB
import LabCore

/// One libmariadb connection with its prepared statements.
///
/// `@unchecked Sendable`: the `ConnectionPool` hands a connection to one caller at a
/// time, and that caller runs its blocking calls one after another on pool threads, so
/// no two threads ever touch the handle at once.
final class MariaDBConnection: BlockingConnection, @unchecked Sendable {
    private let handle: UnsafeMutablePointer<MYSQL>
    private var statements: [String: UnsafeMutablePointer<MYSQL_STMT>] = [:]
    private(set) var isBroken = false

    private static let libraryReady: Void = {
        // mysql_library_init is a macro Swift cannot see; this is what it expands to.
        _ = mysql_server_init(0, nil, nil)
    }()

    private init(handle: UnsafeMutablePointer<MYSQL>) {
        self.handle = handle
    }

    /// Opens a connection. Blocking.
    static func connect(_ settings: MariaDBSettings) throws -> MariaDBConnection {
        _ = libraryReady
        guard let handle = mysql_init(nil) else {
            throw StoreError.unavailable(component: "database", reason: "libmariadb could not allocate a connection")
        }
        var connectSeconds = UInt32(max(1, settings.timeout.components.seconds))
        var querySeconds = UInt32(max(1, settings.queryTimeout.components.seconds))
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectSeconds)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &querySeconds)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &querySeconds)
        var tcp = MYSQL_PROTOCOL_TCP.rawValue
        mysql_options(handle, MYSQL_OPT_PROTOCOL, &tcp)
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // FOUND_ROWS: an UPDATE reports the rows it matched, as SQLite does, so a
        // compare-and-set that rewrites equal values still counts as a success.
        let flags = UInt(CLIENT_FOUND_ROWS)
        guard
            mysql_real_connect(
                handle, settings.host, settings.user, settings.password, settings.database,
                UInt32(settings.port), nil, flags
            ) != nil
        else {
            let error = classify(code: mysql_errno(handle), message: mysql_error(handle))
            mysql_close(handle)
            throw error
        }
        return MariaDBConnection(handle: handle)
    }

    /// Runs one statement with bound values. Blocking.
    func run(_ sql: String, _ binds: [SQLValue]) throws -> (rows: [SQLRow], matched: Int) {
        do {
            return try runPrepared(sql, binds)
        } catch let error as MariaDBStatementError where error.code == 1615 {
            // "Prepared statement needs to be re-prepared": the table changed under it.
            forget(sql)
            return try runPrepared(sql, binds)
        } catch let error as MariaDBStatementError {
            throw fail(code: error.code, message: error.message)
        }
    }

    func peerHasClosed() -> Bool {
        socketPeerHasClosed(mysql_get_socket(handle))
    }

    func close() {
        for statement in statements.values {
            mysql_stmt_close(statement)
        }
        statements = [:]
        mysql_close(handle)
    }

    private func runPrepared(_ sql: String, _ binds: [SQLValue]) throws -> (rows: [SQLRow], matched: Int) {
        let statement = try prepared(sql)
        var parameters = MariaDBBindings(values: binds)
        defer { parameters.deallocate() }
        let expected = Int(mysql_stmt_param_count(statement))
        guard expected == binds.count else {
            throw StoreError.failed("a statement expects \(expected) values but was given \(binds.count): \(sql)")
        }
        try parameters.binds.withUnsafeMutableBufferPointer { binds in
            if expected > 0, mysql_stmt_bind_param(statement, binds.baseAddress) != 0 {
                throw statementError(statement)
            }
            if mysql_stmt_execute(statement) != 0 {
                throw statementError(statement)
            }
        }
        guard let metadata = mysql_stmt_result_metadata(statement) else {
            return ([], Int(mysql_stmt_affected_rows(statement)))
        }
        defer {
            mysql_free_result(metadata)
            mysql_stmt_free_result(statement)
        }
        if mysql_stmt_store_result(statement) != 0 {
            throw statementError(statement)
        }
        let rows = try MariaDBResultReader(statement: statement, metadata: metadata).readAll()
        return (rows, rows.count)
    }

    private func prepared(_ sql: String) throws -> UnsafeMutablePointer<MYSQL_STMT> {
        if let statement = statements[sql] { return statement }
        guard let statement = mysql_stmt_init(handle) else {
            throw fail(code: mysql_errno(handle), message: mysql_error(handle))
        }
        let length = UInt(sql.utf8.count)
        if mysql_stmt_prepare(statement, sql, length) != 0 {
            let error = statementError(statement)
            mysql_stmt_close(statement)
            throw error
        }
        var update: my_bool = 1
        mysql_stmt_attr_set(statement, STMT_ATTR_UPDATE_MAX_LENGTH, &update)
        statements[sql] = statement
        return statement
    }

    private func forget(_ sql: String) {
        if let statement = statements.removeValue(forKey: sql) {
            mysql_stmt_close(statement)
        }
    }

    private func statementError(_ statement: UnsafeMutablePointer<MYSQL_STMT>) -> MariaDBStatementError {
        MariaDBStatementError(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
    }

    private func fail(code: UInt32, message: UnsafePointer<CChar>?) -> StoreError {
        fail(code: code, message: message.map { String(cString: $0) } ?? "")
    }

    private func fail(code: UInt32, message: String) -> StoreError {
        let error = Self.classify(code: code, message: message)
        if case .unavailable = error { isBroken = true }
        return error
    }

    private static func classify(code: UInt32, message: UnsafePointer<CChar>?) -> StoreError {
        classify(code: code, message: message.map { String(cString: $0) } ?? "")
    }

    /// Maps a MariaDB error number to what callers can act on.
    static func classify(code: UInt32, message: String) -> StoreError {
        let text = "MariaDB error \(code): \(message)"
        switch code {
        case 1062, 1586, 1022: return .duplicate(text)
        // Deadlock (Galera reports a certification failure as one too) and lock wait timeout:
        // the server rolled the work back.
        case 1213, 1205: return .retryable(text)
        case 1451, 1452: return .conflict(text)
        // 2xxx are the client library's own: the connection is gone or never came up;
        // the others are the server going away or refusing more connections. 1047: a Galera
        // node not in the primary component; 1290 and 1792: a server now read-only, as an old
        // primary after a failover. Each drops the connection, so the next one goes through
        // the proxy to the node that takes writes now.
        case 2000..<3000, 1040, 1047, 1053, 1152, 1158...1161, 1290, 1792, 1927: return .unavailable(component: "database", reason: text)
        default: return .failed(text)
        }
    }
}

/// An error reported on a statement, before it is classified.
struct MariaDBStatementError: Error {
    var code: UInt32
    var message: String
}
