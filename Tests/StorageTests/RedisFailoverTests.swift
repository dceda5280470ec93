import Foundation
import LabCore
import Storage
import TestSupport
import Testing

/// Redis behind Sentinel, as Debian runs it: a primary, a replica and a Sentinel on loopback.
@Suite("Redis failover through Sentinel", .enabled(if: RedisSentinelSet.available))
struct RedisFailoverTests {
    /// One write of the burst: when it was answered, its key, whether it was acknowledged.
    struct Write: Sendable {
        var at: Duration
        var key: String
        var acknowledged: Bool
    }

    @Test("a failover forced during a burst of writes: the client follows the Sentinel to the new primary within seconds, and what it writes after lands there")
    func failoverDuringABurst() async throws {
        let servers = try await RedisSentinelSet()
        let client = RedisClient(settings: servers.settings())
        let store = RedisEphemeralStore(client: client)
        let queue = RedisJobQueue(client: client, settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 5))
        let sentinel = servers.direct(servers.sentinel, sentinel: true)
        let newPrimary = servers.direct(servers.replica)
        let oldPrimary = servers.direct(servers.primary)
        try await withCleanup {
            let start = ContinuousClock.now
            let failoverAt = Duration.seconds(3)
            let writes = try await withThrowingTaskGroup(of: [Write].self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        var writes: [Write] = []
                        for n in 1...10_000 where start.duration(to: .now) < .seconds(14) {
                            let key = "burst-\(writer)-\(n)"
                            do {
                                try await store.set(key, to: "written", ttl: .seconds(600))
                                try await queue.enqueue(Job(kind: "launch", payload: key))
                                writes.append(Write(at: start.duration(to: .now), key: key, acknowledged: true))
                            } catch {
                                writes.append(Write(at: start.duration(to: .now), key: key, acknowledged: false))
                                try await Task.sleep(for: .milliseconds(100))
                            }
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        return writes
                    }
                }
                group.addTask {
                    try await Task.sleep(until: start + failoverAt)
                    try await sentinel.send("SENTINEL", "FAILOVER", RedisSentinelSet.masterName)
                    return []
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }

            #expect(try await servers.currentPrimary() == servers.replica, "the Sentinel promoted the replica")

            let acknowledged = writes.filter(\.acknowledged).map(\.at).sorted()
            let longestPause = zip(acknowledged, acknowledged.dropFirst()).map { $1 - $0 }.max() ?? .zero
            let refused = writes.filter { !$0.acknowledged }.count
            var lost: [Write] = []
            for write in writes where write.acknowledged {
                if try await newPrimary.send("EXISTS", client.keyPrefix + "eph:" + write.key).integer != 1 { lost.append(write) }
            }
            print(
                "Redis failover: \(acknowledged.count) writes acknowledged, \(refused) refused, longest pause \(longestPause), "
                    + "\(lost.count) acknowledged but lost (between \(lost.map(\.at).min() ?? .zero) and \(lost.map(\.at).max() ?? .zero))")
            #expect(longestPause < .seconds(5), "writes went on within seconds")
            #expect(writes.filter { $0.at > .seconds(11) }.allSatisfy { $0.acknowledged }, "once the failover is over every write lands")
            #expect((acknowledged.last ?? .zero) > .seconds(13))
            // Only what the old primary took before the client heard of the new one (it asks the
            // Sentinel every second) is lost: the old primary itself is demoted much later.
            #expect(
                lost.allSatisfy { $0.at >= failoverAt && $0.at < failoverAt + .seconds(3) }, "\(lost.count) lost, the last at \(lost.map(\.at).max() ?? .zero)")
        } cleanup: {
            for redis in [client, sentinel, newPrimary, oldPrimary] { await redis.shutdown() }
            await servers.stop()
        }
    }
}
