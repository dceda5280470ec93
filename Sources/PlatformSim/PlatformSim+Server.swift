import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

extension PlatformSim {
    /// Serves the platform on `host:port` (port 0 picks a free one) until `body` returns;
    /// the issuer is `http://host:port`.
    public func serving<T: Sendable>(host: String = "127.0.0.1", port: Int = 0, _ body: @Sendable () async throws -> T) async throws -> T {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "platform-sim")
        logger.logLevel = .warning
        let app = Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "PlatformSim"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await serviceGroup.run() }
            var ports = portStream.makeAsyncIterator()
            guard let bound = await ports.next() else { throw PlatformSimError.unexpectedResponse("the platform did not start") }
            setBaseURL("http://\(host):\(bound)")
            do {
                let result = try await body()
                await serviceGroup.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
