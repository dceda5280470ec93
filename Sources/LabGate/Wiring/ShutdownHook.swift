import ServiceLifecycle

/// Runs `close` when the process shuts down: for parts that only need closing.
struct ShutdownHook: Service {
    let close: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
