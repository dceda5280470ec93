import LabCore
import NIOCore
import NIOPosix
import Synchronization

/// One connection to MariaDB, spoken to in its client/server protocol on a NIO event loop,
/// with its prepared statements.
///
/// The `ConnectionPool` hands it to one caller at a time, so its statements are never
/// prepared or run by two callers at once.
final class MariaDBConnection: PooledConnection {
    private let channel: any Channel
    private let statements = Mutex<[String: MariaDBStatement]>([:])
    private let failed = Atomic(false)

    /// Closed by the server or broken by an error that leaves it unusable.
    var isBroken: Bool { failed.load(ordering: .relaxed) || !channel.isActive }

    /// NIO reads all the time, so a socket the server closed is seen at once: no peek needed.
    func peerHasClosed() -> Bool { !channel.isActive }

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects, on the shared event loop the caller runs on when it runs on one, and logs in.
    static func connect(_ settings: MariaDBSettings) async throws -> MariaDBConnection {
        do {
            return try await logIn(settings)
        } catch is MariaDBNoGreeting {
            // Nothing was sent on that connection, so a second one is safe; it is usually
            // greeted at once, as the server's queue has moved on meanwhile.
        }
        do {
            return try await logIn(settings)
        } catch is MariaDBNoGreeting {
            throw StoreError.unavailable(
                component: "database",
                reason: "\(settings.host):\(settings.port) accepted two connections but sent no greeting on either within \(settings.timeout)")
        }
    }

    private static func logIn(_ settings: MariaDBSettings) async throws -> MariaDBConnection {
        let loop = SharedEventLoops.preferred()
        let loggedIn = loop.makePromise(of: Void.self)
        let handshake = MariaDBHandshake(settings: settings)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(settings.timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // As with libmariadb: the greeting within the connect timeout, the rest of
                        // the login within the read timeout.
                        try channel.pipeline.syncOperations.addHandler(
                            MariaDBCommandHandler(
                                handshake: handshake, greetingTimeout: TimeAmount(settings.timeout), timeout: TimeAmount(settings.queryTimeout),
                                done: loggedIn))
                    }
                }
                .connect(host: settings.host, port: settings.port, retryingFor: ClientBootstrap.restartWindow)
        } catch {
            loggedIn.fail(error)
            throw StoreError.unavailable(component: "database", reason: "cannot connect to \(settings.host):\(settings.port): \(error)")
        }
        do {
            try await loggedIn.futureResult.get()
        } catch let error as MariaDBServerError {
            channel.close(promise: nil)
            throw classify(code: error.code, message: error.message)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return MariaDBConnection(channel: channel)
    }

    /// Runs one statement with bound values.
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> (rows: [SQLRow], matched: Int) {
        do {
            do {
                return try await runPrepared(sql, binds)
            } catch let error as MariaDBServerError where error.code == 1615 {
                // "Prepared statement needs to be re-prepared": the table changed under it.
                forget(sql)
                return try await runPrepared(sql, binds)
            }
        } catch let error as MariaDBServerError {
            throw fail(error)
        } catch let error as StoreError {
            if case .unavailable = error { failed.store(true, ordering: .relaxed) }
            throw error
        }
    }

    /// Says goodbye and closes the socket.
    func close() {
        var quit = channel.allocator.buffer(capacity: 1)
        quit.writeInteger(UInt8(0x01))
        write(request(quit, expecting: .nothing))
        channel.close(promise: nil)
    }

    private func runPrepared(_ sql: String, _ binds: [SQLValue]) async throws -> (rows: [SQLRow], matched: Int) {
        let statement = try await prepared(sql)
        guard statement.parameterCount == binds.count else {
            throw StoreError.failed("a statement expects \(statement.parameterCount) values but was given \(binds.count): \(sql)")
        }
        guard
            case .result(let rows, let matched) = try await send(
                statement.executePayload(binds, allocator: channel.allocator), expecting: .result, shape: statement.shape)
        else {
            throw StoreError.failed("the database answered a statement with something else than a result: \(sql)")
        }
        return (rows, matched)
    }

    private func prepared(_ sql: String) async throws -> MariaDBStatement {
        if let statement = statements.withLock({ $0[sql] }) { return statement }
        guard case .prepared(let statement) = try await send(MariaDBStatement.preparePayload(sql, allocator: channel.allocator), expecting: .prepared) else {
            throw StoreError.failed("the database answered a prepare with something else than a statement: \(sql)")
        }
        statements.withLock { $0[sql] = statement }
        return statement
    }

    private func forget(_ sql: String) {
        guard let statement = statements.withLock({ $0.removeValue(forKey: sql) }) else { return }
        write(request(statement.closePayload(allocator: channel.allocator), expecting: .nothing))
    }

    private func send(_ payload: ByteBuffer, expecting: MariaDBExpectation, shape: MariaDBResultShape? = nil) async throws -> MariaDBResponse {
        try await write(request(payload, expecting: expecting, shape: shape)).get()
    }

    @discardableResult
    private func write(_ request: MariaDBRequest) -> EventLoopFuture<MariaDBResponse> {
        // A channel that closed meanwhile has no handler left to answer: the failed write does.
        channel.writeAndFlush(request).whenFailure { error in
            request.promise.fail(StoreError.unavailable(component: "database", reason: "the connection was lost: \(error)"))
        }
        return request.promise.futureResult
    }

    private func request(_ payload: ByteBuffer, expecting: MariaDBExpectation, shape: MariaDBResultShape? = nil) -> MariaDBRequest {
        MariaDBRequest(payload: payload, shape: shape, expecting: expecting, promise: channel.eventLoop.makePromise())
    }

    private func fail(_ error: MariaDBServerError) -> StoreError {
        let classified = Self.classify(code: error.code, message: error.message)
        if case .unavailable = classified { failed.store(true, ordering: .relaxed) }
        return classified
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
        // 2xxx are the client library's numbers for a connection that is gone or never came
        // up (kept for what reports them); the others are the server going away or refusing
        // more connections. 1047: a Galera node not in the primary component; 1290 and 1792: a
        // server now read-only, as an old primary after a failover. Each drops the connection,
        // so the next one goes through the proxy to the node that takes writes now.
        case 2000..<3000, 1040, 1047, 1053, 1152, 1158...1161, 1290, 1792, 1927: return .unavailable(component: "database", reason: text)
        default: return .failed(text)
        }
    }
}
