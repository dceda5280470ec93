import ServiceLifecycle

/// Runs `close` when the process shuts down: for parts that only need closing.
package struct ShutdownHook: Service {
    let close: @Sendable () async -> Void

    package init(close: @escaping @Sendable () async -> Void) { self.close = close }

    package func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
