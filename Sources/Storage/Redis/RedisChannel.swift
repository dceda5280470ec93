import LabCore
import NIOCore
import NIOPosix
import Synchronization

/// One Redis connection on an event loop, shared by every caller on that loop: their commands
/// are pipelined on it, and a caller that runs on the same loop sends and hears back without
/// leaving its thread.
final class RedisChannel: Sendable {
    private let channel: any Channel
    private let address: RedisAddress
    private let timeout: TimeAmount
    /// With Sentinels: where the primary is now, so a channel to a former one is dropped.
    private let watch: RedisPrimaryWatch?
    private let demoted = Atomic(false)

    /// Whether it must be replaced: closed, or to a server that is not the primary any more.
    var isBroken: Bool {
        !channel.isActive || demoted.load(ordering: .relaxed) || watch?.hasMoved(from: address) == true
    }

    private init(channel: any Channel, address: RedisAddress, timeout: Duration, watch: RedisPrimaryWatch?) {
        self.channel = channel
        self.address = address
        self.timeout = TimeAmount(timeout)
        self.watch = watch
    }

    /// Connects to `address` on `eventLoop`, logs in and selects the database; with a `watch`
    /// (Sentinels), checks that the server is the primary.
    static func connect(to address: RedisAddress, on eventLoop: any EventLoop, _ settings: RedisSettings, watch: RedisPrimaryWatch?) async throws
        -> RedisChannel
    {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(settings.timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RedisPipeHandler())
                    }
                }
                // Behind Sentinels, a primary that refuses is asked about again instead.
                .connect(host: address.host, port: address.port, retryingFor: watch == nil ? ClientBootstrap.restartWindow : .zero)
        } catch {
            throw StoreError.unavailable(component: "redis", reason: "cannot connect to \(address): \(error)")
        }
        let connection = RedisChannel(channel: channel, address: address, timeout: settings.timeout, watch: watch)
        let handshake = RedisHandshake(settings, checksRole: watch != nil)
        do {
            let commands = handshake.commands
            if !commands.isEmpty { try handshake.check(try await connection.run(commands), from: address) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Sends the commands in one write and returns their replies, error replies included.
    func run(_ commands: [[String]]) async throws -> [RESPValue] {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        // A channel that closed meanwhile has no handler left to answer: the failed write does.
        channel.writeAndFlush(RedisRequest(commands: commands, timeout: timeout, promise: promise)).whenFailure { error in
            promise.fail(StoreError.unavailable(component: "redis", reason: "the connection was lost: \(error)"))
        }
        let replies = try await promise.futureResult.get()
        // A primary demoted to a replica by a failover keeps its clients: drop this channel,
        // so that the next one is opened where the primary is now.
        if replies.contains(where: { if case .error(let message) = $0 { message.hasPrefix("READONLY") } else { false } }) {
            demoted.store(true, ordering: .relaxed)
        }
        return replies
    }

    func close() {
        channel.close(promise: nil)
    }
}
