/// Where and how to reach MariaDB.
public struct MariaDBSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    /// How many connections at most.
    public var poolSize: Int
    /// How long connecting may take.
    public var timeout: Duration
    /// How long one statement may take to answer (read and write timeouts): migrations
    /// and busy servers need more than a connect does.
    public var queryTimeout: Duration
    /// How long a caller waits for a free connection before getting `StoreError.unavailable`.
    public var acquireTimeout: Duration
    /// TLS, required when set: a server that does not offer it, or whose certificate fails the
    /// check, is not logged in to.
    public var tls: ServerTLS?

    public init(
        host: String = "127.0.0.1", port: Int = 3306, user: String, password: String, database: String,
        poolSize: Int = 10, timeout: Duration = .seconds(5), queryTimeout: Duration = .seconds(30),
        acquireTimeout: Duration = .seconds(5), tls: ServerTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.timeout = timeout
        self.queryTimeout = queryTimeout
        self.acquireTimeout = acquireTimeout
        self.tls = tls
    }
}
