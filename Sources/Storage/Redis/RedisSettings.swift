import Foundation

/// Where and how to reach Redis.
public struct RedisSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var password: String?
    /// The logical database index (`SELECT`).
    public var database: Int
    /// How many connections at most for commands that wait on the server; each worker's waiting claim holds one.
    public var poolSize: Int
    /// Connect and command timeout.
    public var timeout: Duration
    /// How long a caller waits for a free connection before getting `StoreError.unavailable`.
    public var acquireTimeout: Duration
    /// Put before every key, so several LabGate installations can share one Redis.
    public var keyPrefix: String
    /// Redis Sentinels to ask where the primary is; empty: `host` and `port` are the primary.
    public var sentinels: [RedisAddress]
    /// The name the Sentinels monitor the primary under.
    public var masterName: String
    /// The Sentinels' own password, if they require one.
    public var sentinelPassword: String?
    /// TLS to Redis and to the Sentinels, required when set: a server whose certificate fails
    /// the check is not talked to.
    public var tls: ServerTLS?

    public init(
        host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, database: Int = 0, poolSize: Int = 16,
        timeout: Duration = .seconds(5), acquireTimeout: Duration = .seconds(5), keyPrefix: String = "labgate:",
        sentinels: [RedisAddress] = [], masterName: String = "labgate", sentinelPassword: String? = nil, tls: ServerTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.timeout = timeout
        self.acquireTimeout = acquireTimeout
        self.keyPrefix = keyPrefix
        self.sentinels = sentinels
        self.masterName = masterName
        self.sentinelPassword = sentinelPassword
        self.tls = tls
    }
}

/// A Redis server's (or Sentinel's) address.
public struct RedisAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` (an IPv6 host in brackets); nil if it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
