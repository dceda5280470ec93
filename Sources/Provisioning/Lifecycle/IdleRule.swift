import Foundation
import LabCore

/// When a ready lab is left idle, from Guacamole's history of its desktop sessions: paused
/// (stopped, its disks kept) after `idleTimeout` with no session open, and in any case
/// `maxSession` after it started. A session still open after `maxSession` is a row Guacamole
/// left behind when it restarted (or a session the cap ends anyway): it keeps nothing alive.
public struct IdleRule: Sendable, Hashable {
    public var idleTimeout: Duration
    public var maxSession: Duration
    /// When a lab in use by its sessions is unused by its figures.
    public var unused: UnusedSpec

    public init(idleTimeout: Duration, maxSession: Duration, unused: UnusedSpec = UnusedSpec()) {
        self.idleTimeout = idleTimeout
        self.maxSession = maxSession
        self.unused = unused
    }

    /// How a ready lab stands.
    public enum Verdict: Sendable, Hashable {
        /// A session is open; the earliest that counts began at `since`.
        case connected(since: Date)
        /// No session open since `since`; paused once `idleTimeout` has passed.
        case idle(since: Date)
        /// To be paused, for the student's reason.
        case pause(reason: String)
    }

    /// - Parameters:
    ///   - readySince: when the lab last became ready (it was started or reset then).
    ///   - activity: its sessions open now or ended lately; nil if it had none.
    public func verdict(readySince: Date, activity: DesktopActivity?, now: Date) -> Verdict {
        if now.timeIntervalSince(readySince) >= maxSession.seconds {
            return .pause(reason: "when it had run for its longest session, \(Self.words(maxSession))")
        }
        let cutoff = now.addingTimeInterval(-maxSession.seconds)
        if let first = activity?.openSince.filter({ $0 > cutoff }).min() { return .connected(since: first) }
        let since = max(readySince, activity?.lastEnded ?? readySince)
        if now.timeIntervalSince(since) >= idleTimeout.seconds {
            return .pause(reason: "after \(Self.words(idleTimeout)) without use")
        }
        return .idle(since: since)
    }

    /// Whether a connected lab, whose first session open now began at `connectedSince`, has
    /// gone unused: a minute-by-minute figure for each of the last `unused.minutes`, each below
    /// both thresholds. Too few figures (a VM just started, a session just opened) is not unused.
    public func isUnused(connectedSince: Date, lastHour points: [PVEMetricPoint], now: Date) -> Bool {
        let minutes = unused.minutes
        guard minutes > 0, now.timeIntervalSince(connectedSince) >= Double(minutes * 60) else { return false }
        let recent = points.filter(\.ran).suffix(minutes)
        guard recent.count == minutes else { return false }
        return recent.allSatisfy { point in
            (point.cpu ?? 1) * 100 < unused.cpuPercent && ((point.netIn ?? 0) + (point.netOut ?? 0)) / 1000 < unused.networkKBps
        }
    }

    /// Why a lab paused for lack of use was paused, for its student.
    public var unusedReason: String {
        "after \(Self.words(.seconds((unused.minutes + unused.graceMinutes) * 60))) connected but unused"
    }

    /// `20 minutes`, `4 hours`, `90 minutes`.
    static func words(_ duration: Duration) -> String {
        let minutes = Int(duration.seconds / 60)
        if minutes % 60 == 0, minutes >= 60 { return minutes == 60 ? "1 hour" : "\(minutes / 60) hours" }
        return minutes == 1 ? "1 minute" : "\(minutes) minutes"
    }
}
