extension EphemeralStore {
    /// One step after the other; a store that can do better (Redis: one pipelined write) does.
    public func run(_ steps: [EphemeralStep]) async throws -> [String?] {
        var results: [String?] = []
        results.reserveCapacity(steps.count)
        for step in steps {
            switch step {
            case .set(let key, let value, let ttl):
                try await set(key, to: value, ttl: ttl)
                results.append(nil)
            case .get(let key, let ttl?): results.append(try await get(key, renewing: ttl))
            case .get(let key, nil): results.append(try await get(key))
            case .delete(let key):
                try await delete(key)
                results.append(nil)
            }
        }
        return results
    }
}
