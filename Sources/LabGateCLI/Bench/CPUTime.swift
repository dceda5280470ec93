import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// User and system CPU time, of this process or of another by its pid: what the benchmarks
/// report apart for the load generator, the servers and the storage.
enum CPUTime {
    /// This process's so far.
    static func ofThisProcess() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return .seconds(Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)) + .microseconds(Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec))
    }

    /// Process `pid`'s so far, from /proc; zero when it cannot be read.
    static func of(_ pid: Int32) -> Duration {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return .zero }
        // After the command name in parentheses: field 3 is the state; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return .zero }
        return .milliseconds((user + system) * 1000 / Int64(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// The processes' together so far.
    static func of(_ pids: [Int32]) -> Duration {
        pids.map(of).reduce(.zero, +)
    }
}
