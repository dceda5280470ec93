import LabCore
import NIOCore

/// A Redis client. Commands are pipelined on one connection per event loop (`RedisChannels`);
/// commands that block on the server (`XREADGROUP BLOCK`) take a connection of their own
/// from a pool.
public final class RedisClient: Sendable {
    /// The prefix of every key this installation uses.
    public let keyPrefix: String
    private let pool: ConnectionPool<RedisChannel>
    private let channels: RedisChannels
    /// With Sentinels: asks them where the primary is, every `RedisPrimaryWatch.interval`.
    private let watching: Task<Void, Never>?

    public init(settings: RedisSettings) {
        keyPrefix = settings.keyPrefix
        let watch = settings.sentinels.isEmpty ? nil : RedisPrimaryWatch()
        // Opens a connection to the primary, where the Sentinels say it is when there are any.
        let connect: @Sendable (any EventLoop) async throws -> RedisChannel = { loop in
            guard let watch else {
                return try await RedisChannel.connect(to: RedisAddress(host: settings.host, port: settings.port), on: loop, settings, watch: nil)
            }
            let primary = try await RedisSentinels(settings: settings).primary()
            watch.update(primary)
            return try await RedisChannel.connect(to: primary, on: loop, settings, watch: watch)
        }
        pool = ConnectionPool(
            component: "redis", size: settings.poolSize, acquireTimeout: settings.acquireTimeout,
            open: { try await connect(SharedEventLoops.preferred()) }, close: { $0.close() })
        channels = RedisChannels(connect: connect)
        watching = watch.map { watch in
            Task {
                let sentinels = RedisSentinels(settings: settings)
                while !Task.isCancelled {
                    // Unanswered: the connections stay where they are, and fail by themselves if the primary is gone.
                    if let primary = try? await sentinels.primary() { watch.update(primary) }
                    try? await Task.sleep(for: RedisPrimaryWatch.interval)
                }
            }
        }
    }

    /// Runs one command and returns its reply; an error reply is thrown.
    @discardableResult
    public func send(_ command: String...) async throws -> RESPValue {
        try await pipeline([command])[0].checked()
    }

    /// Runs commands in one round trip and returns their replies, error replies included.
    /// `extraWait` is how long a command may block on the server (`XREADGROUP BLOCK`);
    /// `repeatable` commands may be sent twice (`SET` without `NX`, `GET`, `GETDEL`), so they
    /// are sent again when their connection is lost under them.
    public func pipeline(_ commands: [[String]], extraWait: Duration = .zero, repeatable: Bool = false) async throws -> [RESPValue] {
        guard extraWait > .zero else { return try await channels.run(commands, repeatable: repeatable) }
        // Its own connection: the commands pipelined behind it would wait as long as it does.
        return try await pool.withConnection { try await $0.run(commands, extraWait: extraWait) }
    }

    /// Runs a Lua script atomically on the server.
    func eval(_ script: String, keys: [String], arguments: [String]) async throws -> RESPValue {
        try await pipeline([["EVAL", script, String(keys.count)] + keys + arguments])[0].checked()
    }

    /// Closes every connection.
    public func shutdown() async {
        watching?.cancel()
        channels.shutdown()
        await pool.shutdown()
    }
}
