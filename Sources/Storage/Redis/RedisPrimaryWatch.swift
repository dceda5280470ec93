import Synchronization

/// Where the Sentinels say the primary is, asked again every `interval` by its `RedisClient`.
/// A connection to any other server counts as broken, so the pool replaces it by one to the
/// new primary: after a failover the client stops writing to the old primary within about
/// `interval`, even while that one still takes writes (before the Sentinels demote it).
final class RedisPrimaryWatch: Sendable {
    static let interval = Duration.seconds(1)
    private let current = Mutex<RedisAddress?>(nil)

    /// The primary as last asked; nil before the first answer.
    var primary: RedisAddress? { current.withLock { $0 } }

    func update(_ address: RedisAddress) {
        current.withLock { $0 = address }
    }

    /// Whether a connection to `address` must go: the Sentinels name another primary.
    func hasMoved(from address: RedisAddress) -> Bool {
        primary.map { $0 != address } ?? false
    }
}
