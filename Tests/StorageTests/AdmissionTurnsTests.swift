import Foundation
import Storage
import Synchronization
import Testing

@testable import LabCore

/// The in-process store, counting the questions for a turn.
private final class CountingStore: EphemeralStore {
    let inner = MemoryEphemeralStore()
    let asked = Mutex(0)

    func setIfAbsent(_ key: String, to value: String, ttl: Duration) async throws -> Bool {
        asked.withLock { $0 += 1 }
        return await inner.setIfAbsent(key, to: value, ttl: ttl)
    }
    func set(_ key: String, to value: String, ttl: Duration) async throws { await inner.set(key, to: value, ttl: ttl) }
    func claim(_ key: String, for token: String, ttl: Duration) async throws -> Bool { await inner.claim(key, for: token, ttl: ttl) }
    func replace(_ key: String, ifHolding expected: String, with value: String, ttl: Duration) async throws -> Bool {
        await inner.replace(key, ifHolding: expected, with: value, ttl: ttl)
    }
    func get(_ key: String) async throws -> String? { await inner.get(key) }
    func get(_ key: String, renewing ttl: Duration) async throws -> String? { await inner.get(key, renewing: ttl) }
    func take(_ key: String) async throws -> String? { await inner.take(key) }
    func delete(_ key: String) async throws -> Bool { await inner.delete(key) }
    func increment(_ key: String, by amount: Int64, ttl: Duration) async throws -> Int64 { try await inner.increment(key, by: amount, ttl: ttl) }
    func ping() async throws {}
    func run(_ steps: [EphemeralStep]) async throws -> [String?] { try await inner.run(steps) }
}

/// How many hold a turn at once, and the most that ever did.
private final class Occupancy: Sendable {
    let state = Mutex((now: 0, most: 0))
}

@Suite("Turns taken in line")
struct AdmissionTurnsTests {
    @Test("20 launches of one process waiting for one turn hold it one at a time and ask the store about once each, not at every poll")
    func oneAskerPerProcess() async throws {
        let store = CountingStore()
        let turns = AdmissionTurns(store: store)
        let inside = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await turns.taking(["admission:course:c"], settle: { nil as Void? }) {
                        inside.state.withLock {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                        }
                        try await Task.sleep(for: .milliseconds(20))
                        inside.state.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.state.withLock(\.most) == 1)
        // Polling, each waiter asked every few milliseconds, up to 20: several hundred questions.
        #expect(store.asked.withLock { $0 } <= 25, "\(store.asked.withLock { $0 }) questions")
    }

    @Test("a launch that waited in line past its patience is asked to try again, and leaves the line to the next")
    func patienceInLine() async throws {
        let turns = {
            var turns = AdmissionTurns(store: CountingStore())
            turns.patience = .milliseconds(200)
            return turns
        }()
        let holder = Task { try await turns.taking(["k"], settle: { nil as Void? }) { try await Task.sleep(for: .milliseconds(600)) } }
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: StoreError.self) { try await turns.taking(["k"], settle: { nil as Void? }) {} }
        try await holder.value
        try await turns.taking(["k"], settle: { nil as Void? }) {}
    }
}
