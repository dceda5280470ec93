/// Where and how to reach Redis.
public struct RedisSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var password: String?
    /// The logical database index (`SELECT`).
    public var database: Int
    /// How many connections (and pool threads) at most. Each worker's waiting claim holds one.
    public var poolSize: Int
    /// Connect and command timeout.
    public var timeout: Duration
    /// How long a caller waits for a free connection before getting `StoreError.unavailable`.
    public var acquireTimeout: Duration
    /// Put before every key, so several LabGate installations can share one Redis.
    public var keyPrefix: String

    public init(
        host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, database: Int = 0, poolSize: Int = 16,
        timeout: Duration = .seconds(5), acquireTimeout: Duration = .seconds(5), keyPrefix: String = "labgate:"
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.timeout = timeout
        self.acquireTimeout = acquireTimeout
        self.keyPrefix = keyPrefix
    }
}
