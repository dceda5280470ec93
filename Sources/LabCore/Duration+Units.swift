extension Duration {
    /// Whole nanoseconds, for metrics timers.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Seconds with a fraction.
    var fractionalSeconds: Double {
        Double(nanoseconds) / 1_000_000_000
    }

    /// Milliseconds with a fraction, for log lines.
    var fractionalMilliseconds: Double {
        Double(nanoseconds) / 1_000_000
    }
}
