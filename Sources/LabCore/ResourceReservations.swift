import Foundation

/// A number LabGate holds in the cluster for one lab instance: a VMID, a VLAN tag.
public struct ResourceReservation: Sendable, Hashable, Codable {
    /// What the number is: `vmid`, `vlan`.
    public var kind: String
    public var value: Int
    public var instanceID: LabInstanceID
    public var createdAt: Date

    public init(kind: String, value: Int, instanceID: LabInstanceID, createdAt: Date) {
        self.kind = kind
        self.value = value
        self.instanceID = instanceID
        self.createdAt = createdAt
    }
}

/// Numbers reserved under a unique key, so two workers never hand out the same VMID or VLAN
/// even when they ask at the same moment on different machines.
public protocol ResourceReservations: Sendable {
    /// Reserves `reservation.value` of its kind; false if someone holds it already.
    func reserve(_ reservation: ResourceReservation) async throws -> Bool
    /// What `instanceID` holds of `kind`, by value.
    func held(kind: String, by instanceID: LabInstanceID) async throws -> [ResourceReservation]
    /// Every reservation of `kind`, by value.
    func list(kind: String) async throws -> [ResourceReservation]
    /// Releases everything `instanceID` holds; returns how many were released.
    @discardableResult
    func release(heldBy instanceID: LabInstanceID) async throws -> Int
}
