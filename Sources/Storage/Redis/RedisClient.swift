import LabCore

/// A Redis client. Commands are pipelined on one connection per event loop (`RedisChannels`);
/// commands that block on the server (`XREADGROUP BLOCK`) take a hiredis connection of their
/// own from a pool, whose threads also ask the Sentinels where the primary is.
public final class RedisClient: Sendable {
    /// The prefix of every key this installation uses.
    public let keyPrefix: String
    private let pool: BlockingConnectionPool<RedisConnection>
    private let channels: RedisChannels
    /// With Sentinels: asks them where the primary is, every `RedisPrimaryWatch.interval`.
    private let watching: Task<Void, Never>?

    public init(settings: RedisSettings) {
        keyPrefix = settings.keyPrefix
        let watch = settings.sentinels.isEmpty ? nil : RedisPrimaryWatch()
        let pool = BlockingConnectionPool(component: "redis", size: settings.poolSize, acquireTimeout: settings.acquireTimeout) {
            try RedisConnection.connect(settings, watch: watch)
        }
        self.pool = pool
        channels = RedisChannels { loop in
            guard let watch else {
                return try await RedisChannel.connect(to: RedisAddress(host: settings.host, port: settings.port), on: loop, settings, watch: nil)
            }
            let primary = try await pool.onThread { try RedisSentinels(settings: settings).primary() }
            watch.update(primary)
            return try await RedisChannel.connect(to: primary, on: loop, settings, watch: watch)
        }
        watching = watch.map { watch in
            Task {
                let sentinels = RedisSentinels(settings: settings)
                while !Task.isCancelled {
                    // Unanswered: the connections stay where they are, and fail by themselves if the primary is gone.
                    if let primary = try? await pool.onThread({ try sentinels.primary() }) { watch.update(primary) }
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
        return try await pool.run { try $0.run(commands, extraWait: extraWait) }
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
