import LabCore

/// The ephemeral store in process memory: the embedded default for a single process.
public actor MemoryEphemeralStore: EphemeralStore {
    private var entries: [String: (value: String, expires: ContinuousClock.Instant)] = [:]
    private var writesSinceSweep = 0
    private let clock = ContinuousClock()

    public init() {}

    public func set(_ key: String, to value: String, ttl: Duration) {
        write(key, value, ttl: ttl)
    }

    public func setIfAbsent(_ key: String, to value: String, ttl: Duration) -> Bool {
        guard live(key) == nil else { return false }
        write(key, value, ttl: ttl)
        return true
    }

    public func claim(_ key: String, for token: String, ttl: Duration) -> Bool {
        if let holder = live(key) { return holder == token }
        write(key, token, ttl: ttl)
        return true
    }

    public func replace(_ key: String, ifHolding expected: String, with value: String, ttl: Duration) -> Bool {
        guard live(key) == expected else { return false }
        write(key, value, ttl: ttl)
        return true
    }

    public func get(_ key: String) -> String? {
        live(key)
    }

    public func get(_ key: String, renewing ttl: Duration) -> String? {
        guard let value = live(key) else { return nil }
        entries[key]?.expires = clock.now + ttl
        return value
    }

    public func take(_ key: String) -> String? {
        defer { entries[key] = nil }
        return live(key)
    }

    public func delete(_ key: String) -> Bool {
        entries.removeValue(forKey: key).map { $0.expires > clock.now } ?? false
    }

    public func increment(_ key: String, by amount: Int64, ttl: Duration) throws -> Int64 {
        guard let current = live(key) else {
            write(key, String(amount), ttl: ttl)
            return amount
        }
        guard let number = Int64(current) else {
            throw StoreError.failed("the value at \(key.debugDescription) is not a counter")
        }
        let next = number + amount
        entries[key]?.value = String(next)
        return next
    }

    public func ping() {}

    private func live(_ key: String) -> String? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > clock.now else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    private func write(_ key: String, _ value: String, ttl: Duration) {
        entries[key] = (value, clock.now + ttl)
        writesSinceSweep += 1
        // Expired keys nobody reads again are swept now and then, so memory stays bounded.
        if writesSinceSweep >= 1024 {
            writesSinceSweep = 0
            let now = clock.now
            entries = entries.filter { $0.value.expires > now }
        }
    }
}
