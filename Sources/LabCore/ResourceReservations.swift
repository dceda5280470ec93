import Foundation

/// Who holds a reserved number: a lab instance (its VMIDs, its student's VLAN), a course
/// (the VLAN all its students share) or one of a course's groups (its team's VLAN).
public enum ReservationHolder: Sendable, Hashable, CustomStringConvertible {
    case instance(LabInstanceID)
    case course(CourseID)
    /// A group of the course, by the platform's id of the group.
    case group(CourseID, String)

    /// `instance:<id>`, `course:<id>` or `group:<course id>:<group id>`, as stored.
    public var description: String {
        switch self {
        case .instance(let id): "instance:\(id)"
        case .course(let id): "course:\(id)"
        case .group(let course, let group): "group:\(course):\(group)"
        }
    }

    public init?(_ text: String) {
        if text.hasPrefix("instance:") {
            self = .instance(LabInstanceID(String(text.dropFirst("instance:".count))))
        } else if text.hasPrefix("course:") {
            self = .course(CourseID(String(text.dropFirst("course:".count))))
        } else if text.hasPrefix("group:") {
            // A course id never holds a colon; a platform's group id might.
            let rest = text.dropFirst("group:".count)
            guard let colon = rest.firstIndex(of: ":") else { return nil }
            self = .group(CourseID(String(rest[..<colon])), String(rest[rest.index(after: colon)...]))
        } else {
            return nil
        }
    }
}

/// A number LabGate holds in the cluster: a VMID, a VLAN tag.
public struct ResourceReservation: Sendable, Hashable {
    /// What the number is: `vmid`, `vlan`.
    public var kind: String
    public var value: Int
    public var holder: ReservationHolder
    public var createdAt: Date

    public init(kind: String, value: Int, holder: ReservationHolder, createdAt: Date) {
        self.kind = kind
        self.value = value
        self.holder = holder
        self.createdAt = createdAt
    }
}

/// Numbers reserved under a unique key, so two workers never hand out the same VMID or VLAN
/// even when they ask at the same moment on different machines.
public protocol ResourceReservations: Sendable {
    /// Reserves `reservation.value` of its kind; false if someone holds it already.
    func reserve(_ reservation: ResourceReservation) async throws -> Bool
    /// What `holder` holds of `kind`, by value.
    func held(kind: String, by holder: ReservationHolder) async throws -> [ResourceReservation]
    /// Every reservation of `kind`, by value.
    func list(kind: String) async throws -> [ResourceReservation]
    /// Releases everything `holder` holds; returns how many were released.
    @discardableResult
    func release(heldBy holder: ReservationHolder) async throws -> Int
}
