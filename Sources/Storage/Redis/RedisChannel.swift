import LabCore
import NIOCore
import NIOPosix
import Synchronization

/// One Redis connection on an event loop. Shared by every caller on that loop (`RedisChannels`),
/// their commands are pipelined on it, and a caller that runs on the same loop sends and hears
/// back without leaving its thread; lent to one caller at a time (`ConnectionPool`), it carries
/// a command that waits on the server.
final class RedisChannel: PooledConnection {
    private let channel: any Channel
    private let handler: NIOLoopBound<RedisPipeHandler>
    private let address: RedisAddress
    private let timeout: Duration
    /// With Sentinels: where the primary is now, so a channel to a former one is dropped.
    private let watch: RedisPrimaryWatch?
    private let demoted = Atomic(false)

    /// Whether it must be replaced: closed, or to a server that is not the primary any more.
    var isBroken: Bool {
        !channel.isActive || demoted.load(ordering: .relaxed) || watch?.hasMoved(from: address) == true
    }

    private init(channel: any Channel, handler: NIOLoopBound<RedisPipeHandler>, address: RedisAddress, timeout: Duration, watch: RedisPrimaryWatch?) {
        self.channel = channel
        self.handler = handler
        self.address = address
        self.timeout = timeout
        self.watch = watch
    }

    /// Connects to the primary at `address` on `eventLoop`, logs in and selects the database;
    /// with a `watch` (Sentinels), checks that the server is the primary.
    static func connect(to address: RedisAddress, on eventLoop: any EventLoop, _ settings: RedisSettings, watch: RedisPrimaryWatch?) async throws
        -> RedisChannel
    {
        // Behind Sentinels, a primary that refuses is asked about again instead.
        try await connect(
            to: address, on: eventLoop, timeout: settings.timeout, tls: settings.tls, handshake: RedisHandshake(settings, checksRole: watch != nil),
            retryingFor: watch == nil ? ClientBootstrap.restartWindow : .zero, watch: watch)
    }

    /// Connects to the server (or Sentinel) at `address`, in TLS with `tls`, and sends `handshake`.
    static func connect(
        to address: RedisAddress, on eventLoop: any EventLoop, timeout: Duration, tls: ServerTLS?, handshake: RedisHandshake,
        retryingFor window: Duration, watch: RedisPrimaryWatch? = nil
    ) async throws -> RedisChannel {
        let sslContext = try tls?.context(component: "redis")
        // The handler of the attempt that connected (the window may take several).
        let made = Mutex<NIOLoopBound<RedisPipeHandler>?>(nil)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(try ServerTLS.handler(sslContext, host: address.host, component: "redis"))
                        }
                        let handler = RedisPipeHandler(tlsFailure: tls.map { tls in { tls.failure($0, host: address.host, port: address.port) } })
                        try channel.pipeline.syncOperations.addHandler(handler)
                        made.withLock { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                    }
                }
                .connect(host: address.host, port: address.port, retryingFor: window)
        } catch {
            throw StoreError.unavailable(component: "redis", reason: "cannot connect to \(address): \(error)")
        }
        guard let handler = made.withLock({ $0 }) else { throw StoreError.failed("a Redis connection was made without its handler") }
        let connection = RedisChannel(channel: channel, handler: handler, address: address, timeout: timeout, watch: watch)
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
    /// `extraWait` is how long a command may wait on the server (`XREADGROUP BLOCK`) on top
    /// of the timeout.
    func run(_ commands: [[String]], extraWait: Duration = .zero) async throws -> [RESPValue] {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        // A channel that closed meanwhile has no handler left to answer: the failed write does,
        // with the reason the handler heard (a refused certificate, say) when there was one.
        let handler = handler
        channel.writeAndFlush(RedisRequest(commands: commands, timeout: TimeAmount(timeout + extraWait), promise: promise)).whenFailure { error in
            promise.fail(handler.value.failure ?? StoreError.unavailable(component: "redis", reason: "the connection was lost: \(error)"))
        }
        let replies = try await promise.futureResult.get()
        // A primary demoted to a replica by a failover keeps its clients: drop this channel,
        // so that the next one is opened where the primary is now.
        if replies.contains(where: { if case .error(let message) = $0 { message.hasPrefix("READONLY") } else { false } }) {
            demoted.store(true, ordering: .relaxed)
        }
        return replies
    }

    /// Whether the server closed it while it sat in a pool.
    func peerHasClosed() -> Bool {
        !channel.isActive
    }

    func close() {
        channel.close(promise: nil)
    }
}
