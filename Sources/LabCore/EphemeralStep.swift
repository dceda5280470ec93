/// One command of a batch that `EphemeralStore.run(_:)` sends in one round trip.
public enum EphemeralStep: Sendable, Equatable {
    /// `set(_:to:ttl:)`.
    case set(String, to: String, ttl: Duration)
    /// `get(_:)`, or `get(_:renewing:)` given a lifetime: the step's result is the value.
    case get(String, renewing: Duration? = nil)
    /// `delete(_:)`.
    case delete(String)
}

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
