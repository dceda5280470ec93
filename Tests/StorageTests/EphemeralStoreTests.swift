import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Ephemeral store")
struct EphemeralStoreTests {
    @Test("a value can be set, read, replaced and deleted", arguments: EphemeralEngine.underTest)
    func basics(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            #expect(try await store.get("k") == nil)
            try await store.set("k", to: "v1", ttl: .seconds(60))
            #expect(try await store.get("k") == "v1")
            try await store.set("k", to: "v2 ünïcode", ttl: .seconds(60))
            #expect(try await store.get("k") == "v2 ünïcode")
            #expect(try await store.delete("k"))
            #expect(try await store.delete("k") == false)
            #expect(try await store.get("k") == nil)
            try await store.ping()
        }
    }

    @Test("values expire after their time to live", arguments: EphemeralEngine.underTest)
    func expiry(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            let setAt = ContinuousClock.now
            try await store.set("short", to: "x", ttl: .seconds(3))
            let stillThere = try await store.setIfAbsent("short", to: "y", ttl: .seconds(60)) == false
            // Only meaningful if the machine answered before the value could expire.
            if setAt.duration(to: .now) < .seconds(3) { #expect(stillThere) }
            try await Task.sleep(for: .milliseconds(3300))
            #expect(try await store.get("short") == nil)
            #expect(try await store.setIfAbsent("short", to: "y", ttl: .seconds(60)))
            #expect(try await store.get("short") == "y")
        }
    }

    @Test("a read that renews keeps the value for its new time to live; a missing key stays missing", arguments: EphemeralEngine.underTest)
    func readRenewing(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            try await store.set("renewed", to: "7", ttl: .seconds(2))
            try await store.set("left", to: "7", ttl: .seconds(2))
            #expect(try await store.get("renewed", renewing: .seconds(60)) == "7")
            #expect(try await store.get("absent", renewing: .seconds(60)) == nil)
            try await Task.sleep(for: .milliseconds(2300))
            #expect(try await store.get("renewed") == "7")
            #expect(try await store.get("left") == nil)
            #expect(try await store.get("absent") == nil)
        }
    }

    @Test("of many simultaneous set-if-absent calls exactly one wins", arguments: EphemeralEngine.underTest)
    func setIfAbsentRace(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 { group.addTask { try await store.setIfAbsent("nonce", to: "\(index)", ttl: .seconds(60)) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test(
        "a claim is won by one token of many at once, asked again by its winner it still holds, and ends with its time to live",
        arguments: EphemeralEngine.underTest)
    func claim(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<50 {
                    group.addTask { try await store.claim("spent", for: "t\(index)", ttl: .milliseconds(1500)) ? "t\(index)" : nil }
                }
                return try await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
            }
            let winner = try #require(winners.count == 1 ? winners.first : nil, "winners: \(winners)")
            #expect(try await store.claim("spent", for: winner, ttl: .seconds(60)), "the same token again: a resent call")
            #expect(try await store.claim("spent", for: "another", ttl: .seconds(60)) == false)
            #expect(try await store.get("spent") == winner, "a refused claim changes nothing")
            try await Task.sleep(for: .milliseconds(1800))
            #expect(try await store.claim("spent", for: "another", ttl: .seconds(60)), "the first claim's time to live counts")
        }
    }

    @Test("replace changes a value only while it holds the expected one, and renews its expiry", arguments: EphemeralEngine.underTest)
    func replaceIfHolding(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            #expect(try await store.replace("lock", ifHolding: "a", with: "a", ttl: .seconds(60)) == false, "nothing held: nothing replaced")
            #expect(try await store.get("lock") == nil)
            try await store.set("lock", to: "a", ttl: .milliseconds(1500))
            #expect(try await store.replace("lock", ifHolding: "b", with: "b", ttl: .seconds(60)) == false)
            #expect(try await store.get("lock") == "a")
            #expect(try await store.replace("lock", ifHolding: "a", with: "a 7", ttl: .seconds(60)))
            try await Task.sleep(for: .milliseconds(1800))
            #expect(try await store.get("lock") == "a 7", "the replacement's expiry counts, not the first one's")
        }
    }

    @Test("of many simultaneous replacements of one value exactly one wins", arguments: EphemeralEngine.underTest)
    func replaceRace(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            try await store.set("lock", to: "free", ttl: .seconds(60))
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    group.addTask { try await store.replace("lock", ifHolding: "free", with: "taken by \(index)", ttl: .seconds(60)) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test("take returns a one-time value to exactly one of many callers", arguments: EphemeralEngine.underTest)
    func takeIsAtomic(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            try await store.set("code", to: "secret-code", ttl: .seconds(60))
            let got = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<50 { group.addTask { try await store.take("code") } }
                return try await group.reduce(into: [String]()) { if let value = $1 { $0.append(value) } }
            }
            #expect(got == ["secret-code"])
            #expect(try await store.get("code") == nil)
        }
    }

    @Test("counters start at zero, add up under concurrency and expire", arguments: EphemeralEngine.underTest)
    func counters(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<40 { group.addTask { try await store.increment("launches", by: 1, ttl: .seconds(60)) } }
                try await group.waitForAll()
            }
            #expect(try await store.increment("launches", by: 2, ttl: .seconds(60)) == 42)
            // The counter keeps the expiry it was created with (a busy machine must not outlast it while counting).
            #expect(try await store.increment("brief", by: 1, ttl: .seconds(1)) == 1)
            #expect(try await store.increment("brief", by: 1, ttl: .seconds(60)) == 2)
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await store.increment("brief", by: 1, ttl: .seconds(60)) == 1)
        }
    }

    @Test("a batch runs its steps in order and returns what each read", arguments: EphemeralEngine.underTest)
    func batch(engine: EphemeralEngine) async throws {
        try await engine.withStore { (store) async throws in
            try await store.set("old", to: "o", ttl: .seconds(60))
            try await store.set("kept", to: "k", ttl: .seconds(2))
            let results = try await store.run([
                .get("absent"), .set("new", to: "n", ttl: .seconds(60)), .get("new"),
                .get("kept", renewing: .seconds(60)), .delete("old"), .get("old"),
            ])
            #expect(results == [nil, nil, "n", "k", nil, nil])
            #expect(try await store.run([]) == [])
            try await Task.sleep(for: .milliseconds(2300))
            #expect(try await store.get("kept") == "k")
            #expect(try await store.get("new") == "n")
        }
    }
}
