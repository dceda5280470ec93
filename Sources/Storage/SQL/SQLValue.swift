import Foundation

/// A value bound to a statement parameter or read from a column, the same for every engine.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    /// `text`, or `null` for nil.
    static func text(_ value: String?) -> SQLValue {
        value.map { .text($0) } ?? .null
    }

    /// `int`, or `null` for nil.
    static func int(_ value: Int?) -> SQLValue {
        value.map { .int(Int64($0)) } ?? .null
    }

    /// `double`, or `null` for nil.
    static func double(_ value: Double?) -> SQLValue {
        value.map { .double($0) } ?? .null
    }

    /// A time as milliseconds since 1970: exact, sortable and the same on every engine.
    static func time(_ date: Date?) -> SQLValue {
        date.map { .int($0.millisecondsSince1970) } ?? .null
    }
}
