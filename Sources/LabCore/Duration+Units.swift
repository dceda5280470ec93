import Foundation

extension Duration {
    /// Whole nanoseconds, for metrics timers.
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Seconds with a fraction, for `Date` arithmetic and figures.
    public var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }

    /// Milliseconds with a fraction, for log lines.
    public var fractionalMilliseconds: Double {
        Double(nanoseconds) / 1_000_000
    }
}
