import Foundation

/// The bounds within which teachers may tune their course (`CourseSettings`); set by an admin
/// in the configuration (`courses.*`).
public struct CourseLimits: Sendable, Hashable {
    public var maxCores: Int
    public var maxMemoryMiB: Int
    public var maxLifetimeMinutes: Int
    public var maxIdleTimeoutMinutes: Int
    /// The VLANs a course may choose; nil: none may be chosen.
    public var vlans: ClosedRange<Int>?

    public init(maxCores: Int = 8, maxMemoryMiB: Int = 16_384, maxLifetimeMinutes: Int = 720, maxIdleTimeoutMinutes: Int = 240, vlans: ClosedRange<Int>? = nil)
    {
        self.maxCores = maxCores
        self.maxMemoryMiB = maxMemoryMiB
        self.maxLifetimeMinutes = maxLifetimeMinutes
        self.maxIdleTimeoutMinutes = maxIdleTimeoutMinutes
        self.vlans = vlans
    }

    /// The most time windows a course keeps: a term of daily sessions, with room to spare.
    public static let maxWindows = 200

    /// Every way `settings` leaves these bounds, by field, in words a teacher can act on.
    public func problems(of settings: CourseSettings) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        func check(_ value: Int?, _ field: String, _ name: String, _ maximum: Int) {
            if let value, !(1...maximum).contains(value) { problems.append((field, "\(name) must be from 1 to \(maximum).")) }
        }
        check(settings.cores, "cores", "Cores", maxCores)
        check(settings.memoryMiB, "memoryMiB", "Memory (MiB)", maxMemoryMiB)
        check(settings.lifetimeMinutes, "lifetimeMinutes", "Lifetime (minutes)", maxLifetimeMinutes)
        check(settings.idleTimeoutMinutes, "idleTimeoutMinutes", "Idle timeout (minutes)", maxIdleTimeoutMinutes)
        if let vlan = settings.vlan {
            if let vlans {
                if !vlans.contains(vlan) { problems.append(("vlan", "The VLAN must be from \(vlans.lowerBound) to \(vlans.upperBound).")) }
            } else {
                problems.append(("vlan", "Courses may not choose a VLAN here; ask an admin (courses.vlans)."))
            }
        }
        if TimeZone(identifier: settings.timeZone) == nil {
            problems.append(("timeZone", "\(settings.timeZone) is not a time zone; use a name like Europe/Zurich."))
        }
        if settings.windows.count > Self.maxWindows {
            problems.append(("windows", "A course keeps at most \(Self.maxWindows) time windows; this has \(settings.windows.count). Remove past ones."))
        }
        for (index, window) in settings.windows.prefix(Self.maxWindows).enumerated() where window.interval(in: settings.timeZone) == nil {
            problems.append(("windows[\(index)]", "A window runs from a date and time to a later one, each written like 2026-11-23T09:00."))
        }
        return problems
    }
}
