import Foundation
import LabCore
import NIOConcurrencyHelpers
import Storage
import TestSupport
import Testing

@testable import GuacBridge

/// A clock the test moves by hand.
final class ManualClock: WallClock, Sendable {
    private let time = NIOLockedValueBox(Date(timeIntervalSince1970: 1_790_000_000))
    func now() -> Date { time.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLockedValue { $0 += seconds } }
}

@Suite("Single-use access links")
struct AccessLinksTests {
    static let instance = LabInstance(userID: UserID("student-a"), environmentID: EnvironmentID("env"), createdAt: Date())

    @Test("of many simultaneous redeems exactly one wins; every later one finds the link used", arguments: EphemeralEngine.underTest)
    func singleUse(engine: EphemeralEngine) async throws {
        try await engine.withStore { store in
            let links = AccessLinks(store: store)
            let code = try await links.issue(for: Self.instance)
            #expect(Data(base64URLEncoded: code)?.count == 32)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        do {
                            return try await links.redeem(code, by: Self.instance.userID)
                                == AccessLinks.Grant(userID: Self.instance.userID, instanceID: Self.instance.id)
                        } catch GuacBridgeError.linkUsedOrExpired {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            await #expect(throws: GuacBridgeError.linkUsedOrExpired) { try await links.redeem(code, by: Self.instance.userID) }
        }
    }

    @Test("a link expires after its lifetime by the injected clock", arguments: EphemeralEngine.underTest)
    func expiry(engine: EphemeralEngine) async throws {
        try await engine.withStore { store in
            let clock = ManualClock()
            let links = AccessLinks(store: store, lifetime: .seconds(60), clock: clock)
            let fresh = try await links.issue(for: Self.instance)
            let stale = try await links.issue(for: Self.instance)
            clock.advance(59)
            _ = try await links.redeem(fresh, by: Self.instance.userID)
            clock.advance(2)
            await #expect(throws: GuacBridgeError.linkUsedOrExpired) { try await links.redeem(stale, by: Self.instance.userID) }
        }
    }

    @Test("another student's session cannot redeem the link, and does not use it up", arguments: EphemeralEngine.underTest)
    func boundToStudent(engine: EphemeralEngine) async throws {
        try await engine.withStore { store in
            let links = AccessLinks(store: store)
            let code = try await links.issue(for: Self.instance)
            await #expect(throws: GuacBridgeError.notYourLink) { try await links.redeem(code, by: UserID("student-b")) }
            _ = try await links.redeem(code, by: Self.instance.userID)
            await #expect(throws: GuacBridgeError.linkUsedOrExpired) { try await links.redeem("made-up", by: Self.instance.userID) }
        }
    }

    @Test("the store keys the entry by the code's hash and never holds the code")
    func storedHashed() async throws {
        let store = MemoryEphemeralStore()
        let code = try await AccessLinks(store: store).issue(for: Self.instance)
        let key = AccessLinks.key(code)
        #expect(!key.contains(code))
        let value = try #require(try await store.get(key))
        #expect(!value.contains(code))
    }
}
