import Foundation

extension Date {
    /// Milliseconds since 1970: how times are stored, in SQL columns and Redis scores alike.
    /// Rounded down, so a stored time is never later than the moment it records.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    public init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
