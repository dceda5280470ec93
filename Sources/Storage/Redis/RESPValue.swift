import LabCore

/// A Redis reply, as `RESPCoding` reads it.
public enum RESPValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case array([RESPValue])
    case status(String)
    case error(String)
    case null

    /// The value, or a thrown `StoreError` if Redis answered with an error.
    func checked() throws -> RESPValue {
        guard case .error(let message) = self else { return self }
        // LOADING: a restarted Redis still reading its append-only file; soon ready again.
        if message.hasPrefix("LOADING") || message.hasPrefix("READONLY") || message.hasPrefix("MASTERDOWN") {
            throw StoreError.unavailable(component: "redis", reason: message)
        }
        throw StoreError.failed("Redis: \(message)")
    }

    public var string: String? {
        switch self {
        case .string(let text), .status(let text): text
        case .integer(let int): String(int)
        default: nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let int): int
        case .string(let text): Int64(text)
        default: nil
        }
    }

    public var array: [RESPValue] { if case .array(let items) = self { items } else { [] } }
}
