import Foundation

/// What a teacher tunes for their course's labs, within the limits an admin set
/// (`CourseLimits`). Nil keeps the environment's own value.
public struct CourseSettings: Sendable, Hashable, Codable {
    /// Cores of the VM students connect to.
    public var cores: Int?
    /// Memory of the VM students connect to, in MiB.
    public var memoryMiB: Int?
    public var lifetimeMinutes: Int?
    public var idleTimeoutMinutes: Int?
    /// The VLAN every VM of the course's labs joins, instead of the environment's.
    public var vlan: Int?
    /// The IANA time zone the windows are written in, e.g. `Europe/Zurich`.
    public var timeZone: String
    /// When labs may run; empty means always.
    public var windows: [TimeWindow]

    public init(
        cores: Int? = nil, memoryMiB: Int? = nil, lifetimeMinutes: Int? = nil, idleTimeoutMinutes: Int? = nil,
        vlan: Int? = nil, timeZone: String = "UTC", windows: [TimeWindow] = []
    ) {
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.lifetimeMinutes = lifetimeMinutes
        self.idleTimeoutMinutes = idleTimeoutMinutes
        self.vlan = vlan
        self.timeZone = timeZone
        self.windows = windows
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cores = try container.decodeIfPresent(Int.self, forKey: .cores)
        memoryMiB = try container.decodeIfPresent(Int.self, forKey: .memoryMiB)
        lifetimeMinutes = try container.decodeIfPresent(Int.self, forKey: .lifetimeMinutes)
        idleTimeoutMinutes = try container.decodeIfPresent(Int.self, forKey: .idleTimeoutMinutes)
        vlan = try container.decodeIfPresent(Int.self, forKey: .vlan)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
        windows = try container.decodeIfPresent([TimeWindow].self, forKey: .windows) ?? []
    }

    /// Whether labs may run at `date`: always without windows, otherwise inside one of them.
    public func isOpen(at date: Date) -> Bool {
        windows.isEmpty
            || windows.contains { window in
                guard let interval = window.interval(in: timeZone) else { return false }
                return interval.start <= date && date < interval.end
            }
    }

    /// The start of the next window after `date`, if any.
    public func nextOpening(after date: Date) -> TimeWindow? {
        windows.compactMap { window in window.interval(in: timeZone).map { (window, $0.start) } }
            .filter { $0.1 > date }.min { $0.1 < $1.1 }?.0
    }
}

/// A span of local date and time, `2026-11-23T09:00` to `2026-11-23T12:00`, read in the course's time zone.
public struct TimeWindow: Sendable, Hashable, Codable {
    public var start: String
    public var end: String

    public init(start: String, end: String) {
        self.start = start
        self.end = end
    }

    /// The window as instants, nil if either end is not `yyyy-MM-ddTHH:mm` or the zone is unknown.
    public func interval(in timeZone: String) -> DateInterval? {
        guard let zone = TimeZone(identifier: timeZone), let from = Self.date(start, in: zone), let to = Self.date(end, in: zone), from < to
        else { return nil }
        return DateInterval(start: from, end: to)
    }

    /// Parses `yyyy-MM-ddTHH:mm` as a local time in `zone`.
    static func date(_ text: String, in zone: TimeZone) -> Date? {
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard text.count == 16, parts.count == 5, parts.allSatisfy({ $0 != nil }) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}
