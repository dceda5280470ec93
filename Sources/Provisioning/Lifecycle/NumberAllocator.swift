import Foundation
import LabCore

/// Hands out numbers (VMIDs, VLAN tags) from a range, each reserved in the database under a
/// unique key before it is used, so two workers never get the same one. It starts at a
/// random place in the range, so workers asking at once rarely collide, and skips numbers
/// the cluster already uses: `cluster/nextid` alone is never trusted.
struct NumberAllocator: Sendable {
    let kind: String
    let range: ClosedRange<Int>
    let reservations: any ResourceReservations

    /// The number `instance` holds, or a newly reserved one; nil when the range is full.
    func allocate(for instance: LabInstanceID, avoiding inUse: Set<Int>, at time: Date) async throws -> Int? {
        if let held = try await reservations.held(kind: kind, by: instance) { return held.value }
        let reserved = Set(try await reservations.list(kind: kind).map(\.value))
        let start = Int.random(in: 0..<range.count)
        for offset in 0..<range.count {
            let candidate = range.lowerBound + (start + offset) % range.count
            if inUse.contains(candidate) || reserved.contains(candidate) { continue }
            if try await reservations.reserve(ResourceReservation(kind: kind, value: candidate, instanceID: instance, createdAt: time)) {
                return candidate
            }
        }
        return nil
    }
}
