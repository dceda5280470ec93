/// Short-lived shared state: spent login states, one-time codes, counters, locks.
/// Every value expires; nothing here must outlive a restart of the store.
public protocol EphemeralStore: Sendable {
    /// Sets `key` to `value`, replacing what was there, for `ttl`.
    func set(_ key: String, to value: String, ttl: Duration) async throws
    /// Sets `key` only if it holds nothing; returns whether it did (a lock, a used link).
    func setIfAbsent(_ key: String, to value: String, ttl: Duration) async throws -> Bool
    /// Sets `key` to `token` for `ttl` unless it holds another value; returns whether it holds
    /// `token` now. Unlike `setIfAbsent`, asking again with the same token gives the same
    /// answer, so a call whose answer was lost may be sent again: each caller's token must be
    /// its own.
    func claim(_ key: String, for token: String, ttl: Duration) async throws -> Bool
    /// Sets `key` to `value` for `ttl` only if it still holds `expected`; returns whether it
    /// did. One atomic step: a lock's holder renews it, or hands it a new value, only while it is
    /// still the holder.
    func replace(_ key: String, ifHolding expected: String, with value: String, ttl: Duration) async throws -> Bool
    /// The value of `key`, if it has one that has not expired.
    func get(_ key: String) async throws -> String?
    /// The value of `key`, if it has one, kept for `ttl` from now in the same step.
    func get(_ key: String, renewing ttl: Duration) async throws -> String?
    /// The value of `key`, deleted in the same atomic step: two callers never both get it.
    func take(_ key: String) async throws -> String?
    /// Deletes `key`; returns whether it held a value.
    @discardableResult
    func delete(_ key: String) async throws -> Bool
    /// Adds `amount` to the counter at `key` and returns the new value; a new counter
    /// starts at zero and expires after `ttl`.
    func increment(_ key: String, by amount: Int64, ttl: Duration) async throws -> Int64
    /// Throws `StoreError.unavailable` if the store cannot be reached.
    func ping() async throws
    /// Runs `steps` in order, in one round trip where the store can, and returns what each
    /// read (nil for a step that reads nothing). Not atomic: another client's command may
    /// come between two steps.
    func run(_ steps: [EphemeralStep]) async throws -> [String?]
}
