import LabCore

/// The ephemeral store on Redis: every key expires on the server.
public struct RedisEphemeralStore: EphemeralStore {
    private let client: RedisClient

    public init(client: RedisClient) {
        self.client = client
    }

    public func set(_ key: String, to value: String, ttl: Duration) async throws {
        try await send(.set(key, to: value, ttl: ttl))
    }

    public func setIfAbsent(_ key: String, to value: String, ttl: Duration) async throws -> Bool {
        try await client.send("SET", prefixed(key), value, "NX", "PX", ttl.redisMilliseconds) != .null
    }

    public func claim(_ key: String, for token: String, ttl: Duration) async throws -> Bool {
        // `GET` makes it repeatable: a second send finds the token the first one set (Redis 7).
        let command = ["SET", prefixed(key), token, "NX", "GET", "PX", ttl.redisMilliseconds]
        let holder = try await client.pipeline([command], repeatable: true)[0].checked()
        return holder == .null || holder.string == token
    }

    public func replace(_ key: String, ifHolding expected: String, with value: String, ttl: Duration) async throws -> Bool {
        let reply = try await client.eval(
            """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1
            """, keys: [prefixed(key)], arguments: [expected, value, ttl.redisMilliseconds])
        return reply.integer == 1
    }

    public func get(_ key: String) async throws -> String? {
        try await send(.get(key)).string
    }

    public func get(_ key: String, renewing ttl: Duration) async throws -> String? {
        try await send(.get(key, renewing: ttl)).string
    }

    public func take(_ key: String) async throws -> String? {
        // Sent again too: a GETDEL still hands its value out at most once, since one that ran
        // before its answer was lost leaves nothing for the second to find.
        try await client.pipeline([["GETDEL", prefixed(key)]], repeatable: true)[0].checked().string
    }

    public func delete(_ key: String) async throws -> Bool {
        try await client.send("DEL", prefixed(key)).integer == 1
    }

    public func increment(_ key: String, by amount: Int64, ttl: Duration) async throws -> Int64 {
        // A counter INCRBY just created has no expiry yet (PTTL -1): give it one, atomically.
        let reply = try await client.eval(
            """
            local value = redis.call('INCRBY', KEYS[1], ARGV[1])
            if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return value
            """, keys: [prefixed(key)], arguments: [String(amount), ttl.redisMilliseconds])
        guard let value = reply.integer else { throw StoreError.failed("Redis answered INCRBY with \(reply)") }
        return value
    }

    public func ping() async throws {
        try await client.send("PING")
    }

    public func run(_ steps: [EphemeralStep]) async throws -> [String?] {
        guard !steps.isEmpty else { return [] }
        let replies = try await client.pipeline(steps.map(command), repeatable: true)
        return try zip(steps, replies).map { step, reply in
            let value = try reply.checked()
            guard case .get = step else { return nil }
            return value.string
        }
    }

    /// One step alone; an error reply is thrown. Steps are repeatable (a `DEL` sent twice
    /// answers 0 the second time, so `delete` does not go through here).
    @discardableResult
    private func send(_ step: EphemeralStep) async throws -> RESPValue {
        try await client.pipeline([command(step)], repeatable: true)[0].checked()
    }

    private func command(_ step: EphemeralStep) -> [String] {
        switch step {
        case .set(let key, let value, let ttl): ["SET", prefixed(key), value, "PX", ttl.redisMilliseconds]
        case .get(let key, let ttl?): ["GETEX", prefixed(key), "PX", ttl.redisMilliseconds]
        case .get(let key, nil): ["GET", prefixed(key)]
        case .delete(let key): ["DEL", prefixed(key)]
        }
    }

    private func prefixed(_ key: String) -> String { client.keyPrefix + "eph:" + key }
}

extension Duration {
    /// Whole milliseconds, at least 1 (Redis refuses a zero expiry).
    var redisMilliseconds: String { String(max(1, milliseconds)) }

    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
