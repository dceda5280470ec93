/// One command of a batch that `EphemeralStore.run(_:)` sends in one round trip.
public enum EphemeralStep: Sendable, Equatable {
    /// `set(_:to:ttl:)`.
    case set(String, to: String, ttl: Duration)
    /// `get(_:)`, or `get(_:renewing:)` given a lifetime: the step's result is the value.
    case get(String, renewing: Duration? = nil)
    /// `delete(_:)`.
    case delete(String)
}
