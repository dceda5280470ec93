/// How a storage port fails. Every implementation (MariaDB, SQLite, Redis, in-process)
/// speaks these, so callers and the HTTP edge treat all engines alike.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// A row with the same unique key exists already.
    case duplicate(String)
    /// A save lost a race (stale version); reload and try again.
    case conflict(String)
    /// The engine asked for the work to be retried (deadlock, lock wait timeout).
    case retryable(String)
    /// The server cannot be reached now; `component` names it for people ("database", "redis").
    case unavailable(component: String, reason: String)
    /// Anything else: a bug or a misconfiguration, never the caller's input.
    case failed(String)

    public var description: String {
        switch self {
        case .duplicate(let what): "already exists: \(what)"
        case .conflict(let what): "changed meanwhile: \(what)"
        case .retryable(let why): "temporarily refused, try again: \(why)"
        case .unavailable(let component, let reason): "the \(component) is unavailable: \(reason)"
        case .failed(let why): why
        }
    }

    /// Whether trying again in a moment may succeed (busy or unreachable, not wrong).
    public var isTemporary: Bool {
        switch self {
        case .retryable, .unavailable: true
        case .duplicate, .conflict, .failed: false
        }
    }
}
