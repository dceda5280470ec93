import LabCore
import NIOPosix

/// A connection driven by a blocking C library (hiredis). Only one pool thread touches it at a time.
protocol BlockingConnection: PooledConnection {
    /// Closes the connection. Blocking.
    func close()
}

/// A `ConnectionPool` of blocking connections, served by a thread pool with one thread per
/// connection so that C calls never run on an event loop.
final class BlockingConnectionPool<Connection: BlockingConnection>: Sendable {
    private let pool: ConnectionPool<Connection>
    private let threads: NIOThreadPool
    private let component: String

    /// - Parameter open: opens a connection; blocking, runs on a pool thread; throws `StoreError`.
    init(component: String, size: Int, acquireTimeout: Duration, open: @escaping @Sendable () throws -> Connection) {
        let threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
        self.threads = threads
        self.component = component
        // Closing says goodbye to the server (a blocking write), so it runs on a pool thread too.
        pool = ConnectionPool(
            component: component, size: size, acquireTimeout: acquireTimeout,
            open: { try await Self.onThread(threads, component: component, open) },
            close: { connection in _ = try? await Self.onThread(threads, component: component) { connection.close() } })
    }

    /// Runs blocking work with a connection, on a pool thread.
    func run<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            try await self.onThread { try work(connection) }
        }
    }

    /// Runs a blocking call on a pool thread.
    func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await Self.onThread(threads, component: component, work)
    }

    /// Closes every idle connection and stops the threads.
    func shutdown() async {
        await pool.shutdown()
        try? await threads.shutdownGracefully()
    }

    private static func onThread<T: Sendable>(_ threads: NIOThreadPool, component: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await threads.runIfActive(work)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable(component: component, reason: "the connection pool is shut down")
        }
    }
}
