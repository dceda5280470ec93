import Foundation
import JOSE
import LabCore
import TestSupport
import Testing

@testable import LTIGateway
@testable import LabGate
@testable import WebSupport

@Suite("Tool keys")
struct ToolKeyRingTests {
    /// A key ring on a fresh embedded database, closed afterwards.
    static func withRing(_ body: (ToolKeyRing, Backends) async throws -> Void) async throws {
        let backends = try await Backends.open(try TestConfig.embedded())
        try await withCleanup {
            try await backends.migrate()
            try await body(
                ToolKeyRing(repository: backends.repositories.toolKeys, box: SecretBox(secret: Data(String(repeating: "s", count: 32).utf8))), backends)
        } cleanup: {
            await backends.close()
        }
    }

    @Test("the first key is created once, stored encrypted, and signs what verifies with the published key")
    func firstKey() async throws {
        try await Self.withRing { (ring, backends) async throws in
            let now = Date()
            let kid = try #require(try await ring.ensureKey(now: now))
            #expect(try await ring.ensureKey(now: now) == nil)
            let stored = try await backends.repositories.toolKeys.list()
            #expect(stored.count == 1)
            #expect(!stored[0].sealedPrivateKey.contains("PRIVATE KEY"))
            let key = try await ring.signingKey(now: now)
            #expect(key.kid == kid)
            let token = try CompactJWS.sign(payload: Data(#"{"hello":"world"}"#.utf8), with: key)
            let published = try await ring.publishedKeySet(now: now).verificationKeys()
            try CompactJWS(parsing: token).verify(with: try #require(published[kid]))
        }
    }

    @Test("rotation publishes before signing and retires the old key only after its tokens expired")
    func rotation() async throws {
        try await Self.withRing { (ring, backends) async throws in
            let now = Date()
            let old = try #require(try await ring.ensureKey(now: now))
            let new = try await ring.rotate(lead: .seconds(60), now: now)
            #expect(Set(try await ring.publishedKeySet(now: now).keys.compactMap(\.kid)) == [old, new])
            #expect(try await ring.signingKey(now: now).kid == old)
            #expect(try await ring.signingKey(now: now + 61).kid == new)
            // Published while a token signed just before the switch may still be presented.
            #expect(try await ring.publishedKeySet(now: now + 60 + 300).keys.contains { $0.kid == old })
            #expect(try await ring.publishedKeySet(now: now + 60 + 601).keys.compactMap(\.kid) == [new])
        }
    }

    @Test("keys sealed under another secret are refused, never used")
    func wrongSecret() async throws {
        try await Self.withRing { (ring, backends) async throws in
            _ = try await ring.ensureKey(now: Date())
            let other = ToolKeyRing(repository: backends.repositories.toolKeys, box: SecretBox(secret: Data(String(repeating: "x", count: 32).utf8)))
            await #expect(throws: ToolKeyError.self) { try await other.signingKey(now: Date()) }
        }
    }
}
