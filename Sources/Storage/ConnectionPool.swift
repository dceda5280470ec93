import LabCore

/// A connection a `ConnectionPool` lends out, to one caller at a time.
protocol PooledConnection: AnyObject, Sendable {
    /// Set once it failed in a way that leaves it unusable; the pool then drops it.
    var isBroken: Bool { get }
    /// Whether the server closed the socket while the connection sat idle (a restart, say).
    /// Checked without a round trip, on every checkout.
    func peerHasClosed() -> Bool
}

/// A bounded pool of connections. A caller waits for a free connection up to
/// `acquireTimeout`; a broken or stale connection is replaced by a fresh one, which is how a
/// restarted server is picked up again without restarting LabGate.
final class ConnectionPool<Connection: PooledConnection>: Sendable {
    private let state: PoolState<Connection>
    private let open: @Sendable () async throws -> Connection
    private let close: @Sendable (Connection) async -> Void

    /// - Parameters:
    ///   - component: the server's name for people, used in errors ("database", "redis").
    ///   - open: opens a connection; throws `StoreError`.
    ///   - close: closes one the pool drops.
    init(
        component: String, size: Int, acquireTimeout: Duration, open: @escaping @Sendable () async throws -> Connection,
        close: @escaping @Sendable (Connection) async -> Void
    ) {
        self.open = open
        self.close = close
        state = PoolState(size: size, acquireTimeout: acquireTimeout, component: component)
    }

    /// Holds one connection for the duration of `body`.
    func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = try await checkout()
        do {
            let result = try await body(connection)
            await checkin(connection)
            return result
        } catch {
            await checkin(connection)
            throw error
        }
    }

    /// Closes every idle connection. Connections in use are closed when returned.
    func shutdown() async {
        for connection in await state.close() {
            await close(connection)
        }
    }

    private func checkout() async throws -> Connection {
        while true {
            switch try await state.acquire() {
            case .reuse(let connection):
                if connection.isBroken || connection.peerHasClosed() {
                    await close(connection)
                    await state.discard()
                    continue
                }
                return connection
            case .openNew:
                do {
                    return try await open()
                } catch {
                    await state.discard()
                    throw error
                }
            }
        }
    }

    private func checkin(_ connection: Connection) async {
        if connection.isBroken {
            await close(connection)
            await state.discard()
        } else if await !state.release(connection) {
            await close(connection)
        }
    }
}

/// The bookkeeping of a `ConnectionPool`: idle connections, how many exist, who waits.
private actor PoolState<Connection: PooledConnection> {
    enum Grant: Sendable {
        case reuse(Connection)
        case openNew
    }

    private let size: Int
    private let acquireTimeout: Duration
    private let component: String
    private var idle: [Connection] = []
    private var open = 0
    private var closed = false
    private var waiters: [UInt64: CheckedContinuation<Grant, any Error>] = [:]
    private var waiterOrder: [UInt64] = []
    private var nextWaiter: UInt64 = 0

    init(size: Int, acquireTimeout: Duration, component: String) {
        self.size = size
        self.acquireTimeout = acquireTimeout
        self.component = component
    }

    func acquire() async throws -> Grant {
        if closed { throw StoreError.unavailable(component: component, reason: "the connection pool is shut down") }
        if let connection = idle.popLast() { return .reuse(connection) }
        if open < size {
            open += 1
            return .openNew
        }
        nextWaiter += 1
        let ticket = nextWaiter
        let timeout = acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(ticket)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters[ticket] = continuation
            waiterOrder.append(ticket)
        }
    }

    /// Takes a connection back; returns false if the pool is closed and the caller must close it.
    func release(_ connection: Connection) -> Bool {
        if closed {
            open -= 1
            return false
        }
        if let waiter = popWaiter() {
            waiter.resume(returning: .reuse(connection))
        } else {
            idle.append(connection)
        }
        return true
    }

    /// Forgets a connection that was closed (or never opened); a waiter may open one in its place.
    func discard() {
        if let waiter = popWaiter() {
            waiter.resume(returning: .openNew)
        } else {
            open -= 1
        }
    }

    func close() -> [Connection] {
        closed = true
        let drained = idle
        open -= idle.count
        idle = []
        for ticket in waiterOrder {
            waiters.removeValue(forKey: ticket)?.resume(throwing: StoreError.unavailable(component: component, reason: "the connection pool is shut down"))
        }
        waiterOrder = []
        return drained
    }

    private func expire(_ ticket: UInt64) {
        guard let waiter = waiters.removeValue(forKey: ticket) else { return }
        waiterOrder.removeAll { $0 == ticket }
        waiter.resume(
            throwing: StoreError.unavailable(
                component: component, reason: "all \(size) connections stayed busy for \(acquireTimeout); raise the pool size or find the slow queries"))
    }

    private func popWaiter() -> CheckedContinuation<Grant, any Error>? {
        while !waiterOrder.isEmpty {
            let ticket = waiterOrder.removeFirst()
            if let waiter = waiters.removeValue(forKey: ticket) { return waiter }
        }
        return nil
    }
}
