import Crypto
import Foundation
import LabCore
import WebEncoding

/// Single-use links to a student's desktop: a code of 256 random bits, kept in the
/// ephemeral store only as its SHA-256 with a short life, bound to the student. Redeeming
/// takes the entry in one atomic step, so of two simultaneous redeems exactly one wins.
public struct AccessLinks: Sendable {
    let store: any EphemeralStore
    let lifetime: Duration
    let clock: any WallClock

    public init(store: any EphemeralStore, lifetime: Duration = .seconds(60), clock: any WallClock = SystemClock()) {
        self.store = store
        self.lifetime = lifetime
        self.clock = clock
    }

    /// What a redeemed code was issued for.
    public struct Grant: Sendable, Equatable {
        public var userID: UserID
        public var instanceID: LabInstanceID
    }

    /// A fresh code for `instance`, for its own student only.
    public func issue(for instance: LabInstance) async throws -> String {
        let code = Data(SecureRandom.bytes(32)).base64URLEncodedString()
        let issued = Int64(clock.now().timeIntervalSince1970 * 1000)
        try await store.set(Self.key(code), to: "\(instance.userID)|\(instance.id)|\(issued)", ttl: lifetime)
        return code
    }

    /// Consumes `code` for the student `userID`. A code of another student is left for them.
    public func redeem(_ code: String, by userID: UserID) async throws -> Grant {
        guard code.utf8.count <= 64, let seen = try await store.get(Self.key(code)), let grant = parse(seen) else {
            throw GuacBridgeError.linkUsedOrExpired
        }
        guard grant.userID == userID else { throw GuacBridgeError.notYourLink }
        guard let taken = try await store.take(Self.key(code)), taken == seen else { throw GuacBridgeError.linkUsedOrExpired }
        return grant
    }

    /// The entry's grant, if it is well formed and young enough by the injected clock (the
    /// store's own expiry is the backstop).
    private func parse(_ value: String) -> Grant? {
        let parts = value.split(separator: "|").map(String.init)
        guard parts.count == 3, let issued = Int64(parts[2]) else { return nil }
        let age = clock.now().timeIntervalSince1970 * 1000 - Double(issued)
        guard age < Double(lifetime.components.seconds) * 1000 else { return nil }
        return Grant(userID: UserID(parts[0]), instanceID: LabInstanceID(parts[1]))
    }

    /// The store key of a code: its hash, so the store never holds a usable code.
    static func key(_ code: String) -> String {
        "open:" + Array(SHA256.hash(data: Array(code.utf8))).hexEncodedString()
    }
}
