import LabCore

/// What a new Redis connection sends before anything else, in one round trip: the password, the database, and with Sentinels `ROLE`, because
/// their answer can lag a failover and a connection must never stay with a replica.
struct RedisHandshake {
    private let password: String?
    /// The setting the password comes from, named when the server refuses it.
    private let setting: String
    private let database: Int
    /// With Sentinels: the name of the primary whose role is checked.
    private let masterName: String?

    init(password: String?, setting: String, database: Int = 0, masterName: String? = nil) {
        self.password = password.flatMap { $0.isEmpty ? nil : $0 }
        self.setting = setting
        self.database = database
        self.masterName = masterName
    }

    /// For a connection to the primary `settings` configure; `checksRole` with Sentinels.
    init(_ settings: RedisSettings, checksRole: Bool) {
        self.init(
            password: settings.password, setting: "redis.password", database: settings.database,
            masterName: checksRole ? settings.masterName : nil)
    }

    var commands: [[String]] {
        var commands: [[String]] = []
        if let password { commands.append(["AUTH", password]) }
        if database != 0 { commands.append(["SELECT", String(database)]) }
        if masterName != nil { commands.append(["ROLE"]) }
        return commands
    }

    /// Checks the replies to `commands` from the server at `address`.
    func check(_ replies: [RESPValue], from address: RedisAddress) throws {
        var replies = replies[...]
        if password != nil, case .error? = replies.popFirst() {
            // The reply is not repeated: it could echo what was sent.
            throw StoreError.failed("Redis refused the configured password (\(setting))")
        }
        if database != 0 { _ = try replies.popFirst()?.checked() }
        if let masterName {
            let role = replies.popFirst()?.array.first?.string
            guard role == "master" else {
                throw StoreError.unavailable(
                    component: "redis",
                    reason: "the Sentinels name \(address) as the primary of \(masterName), but it is \(role ?? "silent"); a failover is under way")
            }
        }
    }
}
