import Foundation
import LabCore
import NIOPosix

/// A connection to a server driven by a blocking C library (libmariadb, hiredis).
/// Only one pool thread touches it at a time.
protocol BlockingConnection: AnyObject, Sendable {
    /// Set once the library reported the connection dead; the pool then drops it.
    var isBroken: Bool { get }
    /// Whether the server closed the socket while the connection sat idle (a restart, say).
    /// Checked without a round trip, on every checkout.
    func peerHasClosed() -> Bool
    /// Closes the connection. Blocking.
    func close()
}

/// A bounded pool of blocking connections, served by a thread pool with one thread per
/// connection so that C calls never run on an event loop.
///
/// A caller waits for a free connection up to `acquireTimeout`; a broken or stale
/// connection is replaced by a fresh one, which is how a restarted server is picked up
/// again without restarting LabGate.
final class ConnectionPool<Connection: BlockingConnection>: Sendable {
    private let state: PoolState<Connection>
    private let threads: NIOThreadPool
    private let open: @Sendable () throws -> Connection
    private let component: String

    /// - Parameters:
    ///   - component: the server's name for people, used in errors ("database", "redis").
    ///   - open: opens a connection; blocking, runs on a pool thread; throws `StoreError`.
    init(component: String, size: Int, acquireTimeout: Duration, open: @escaping @Sendable () throws -> Connection) {
        self.component = component
        self.open = open
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
        state = PoolState(size: size, acquireTimeout: acquireTimeout, component: component)
    }

    /// Runs blocking work with a connection, on a pool thread.
    func run<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withConnection { connection in
            try await self.onThread { try work(connection) }
        }
    }

    /// Holds one connection across several steps (a transaction, say). Each blocking call
    /// inside must go through `onThread`.
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

    /// Runs a blocking call on a pool thread.
    func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await threads.runIfActive(work)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable(component: component, reason: "the connection pool is shut down")
        }
    }

    /// Closes every idle connection and stops the threads. Connections in use are closed when returned.
    func shutdown() async {
        let idle = await state.close()
        for connection in idle {
            connection.close()
        }
        try? await threads.shutdownGracefully()
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
                    let opened = open
                    return try await onThread { try opened() }
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

    /// Closing says goodbye to the server (a blocking write), so it runs on a pool thread too.
    private func close(_ connection: Connection) async {
        _ = try? await onThread { connection.close() }
    }
}

/// The bookkeeping of a `ConnectionPool`: idle connections, how many exist, who waits.
private actor PoolState<Connection: BlockingConnection> {
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
