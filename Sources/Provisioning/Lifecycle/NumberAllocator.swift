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

    /// `count` numbers for `holder`: those it holds already (after a restart), topped up
    /// with newly reserved ones; nil when the range has too few left.
    func allocate(_ count: Int, for holder: ReservationHolder, avoiding inUse: Set<Int>, at time: Date) async throws -> [Int]? {
        var numbers = try await reservations.held(kind: kind, by: holder).map(\.value)
        guard numbers.count < count else { return Array(numbers.prefix(count)) }
        let reserved = Set(try await reservations.list(kind: kind).map(\.value))
        let start = Int.random(in: 0..<range.count)
        for offset in 0..<range.count where numbers.count < count {
            let candidate = range.lowerBound + (start + offset) % range.count
            if inUse.contains(candidate) || reserved.contains(candidate) { continue }
            if try await reservations.reserve(ResourceReservation(kind: kind, value: candidate, holder: holder, createdAt: time)) {
                numbers.append(candidate)
            }
        }
        return numbers.count == count ? numbers : nil
    }

    /// The one number a holder shared by many instances (a course) holds, reserved by the
    /// first that asks. Everyone asking for the same holder tries the same numbers in the
    /// same order, and looks again before each try, so concurrent first asks agree.
    func shared(by holder: ReservationHolder, at time: Date) async throws -> Int? {
        let start = Self.stableHash(holder.description) % range.count
        for offset in 0..<range.count {
            if let held = try await reservations.held(kind: kind, by: holder).first { return held.value }
            let candidate = range.lowerBound + (start + offset) % range.count
            if try await reservations.reserve(ResourceReservation(kind: kind, value: candidate, holder: holder, createdAt: time)) {
                return try await reservations.held(kind: kind, by: holder).first?.value ?? candidate
            }
        }
        return nil
    }

    /// FNV-1a: the same in every process (Swift's `hashValue` is seeded per process).
    static func stableHash(_ text: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(Int.max))
    }
}
