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

    /// `count` numbers for `instance`: those it holds already (after a restart), topped up
    /// with newly reserved ones; nil when the range has too few left.
    func allocate(_ count: Int, for instance: LabInstanceID, avoiding inUse: Set<Int>, at time: Date) async throws -> [Int]? {
        var numbers = try await reservations.held(kind: kind, by: instance).map(\.value)
        guard numbers.count < count else { return Array(numbers.prefix(count)) }
        let reserved = Set(try await reservations.list(kind: kind).map(\.value))
        let start = Int.random(in: 0..<range.count)
        for offset in 0..<range.count where numbers.count < count {
            let candidate = range.lowerBound + (start + offset) % range.count
            if inUse.contains(candidate) || reserved.contains(candidate) { continue }
            if try await reservations.reserve(ResourceReservation(kind: kind, value: candidate, instanceID: instance, createdAt: time)) {
                numbers.append(candidate)
            }
        }
        return numbers.count == count ? numbers : nil
    }
}
