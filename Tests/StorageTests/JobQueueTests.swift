import Foundation
import LabCore
import Storage
import TestSupport
import Testing

/// The job queue implementations under test, each with a short visibility timeout.
enum QueueEngine: String, CaseIterable, CustomStringConvertible, Sendable {
    case memory, redis

    var description: String { rawValue }

    static var underTest: [QueueEngine] {
        TestServers.shouldTest(TestServers.redisPort) ? [.memory, .redis] : [.memory]
    }

    // Two seconds: long enough that "not yet visible" holds on a loaded two-core machine.
    static let settings = JobQueueSettings(visibilityTimeout: .seconds(2), maxAttempts: 3)

    func withQueue<T>(settings: JobQueueSettings = settings, _ body: (any JobQueue) async throws -> T) async throws -> T {
        switch self {
        case .memory:
            return try await body(MemoryJobQueue(settings: settings))
        case .redis:
            return try await TestServers.withRedisClient { try await body(RedisJobQueue(client: $0, settings: settings)) }
        }
    }
}

/// Expects `claim` to find nothing when it answered within `window` of `start`. On a machine
/// so loaded that it did not (a cold first run of the whole suite), a job may rightly be
/// due already, and the answer proves nothing either way.
func expectNothingYet(since start: ContinuousClock.Instant, within window: Duration, _ claim: () async throws -> [ClaimedJob]) async throws {
    let claimed = try await claim()
    if start.duration(to: .now) < window {
        #expect(claimed.isEmpty, "claimed \(claimed.map(\.job.kind)) before its time")
    }
}

@Suite("Job queue")
struct JobQueueTests {
    @Test("jobs are delivered in order, once each, and an acked job never comes back", arguments: QueueEngine.underTest)
    func deliverAndAck(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            let jobs = (1...3).map { Job(kind: "provision", payload: #"{"n":\#($0)}"#) }
            for job in jobs { try await queue.enqueue(job) }

            let claimedAt = ContinuousClock.now
            let claimed = try await queue.claim(consumer: "w1", max: 10, wait: .zero)
            #expect(claimed.map(\.job) == jobs)
            #expect(claimed.allSatisfy { $0.attempt == 1 && $0.consumer == "w1" })
            try await expectNothingYet(since: claimedAt, within: QueueEngine.settings.visibilityTimeout) {
                try await queue.claim(consumer: "w2", max: 10, wait: .zero)
            }

            for job in claimed { try await queue.ack(job) }
            try await Task.sleep(for: .milliseconds(2300))
            #expect(try await queue.claim(consumer: "w2", max: 10, wait: .zero).isEmpty)
        }
    }

    @Test("the depth counts jobs queued (waiting or held), delayed and dead", arguments: QueueEngine.underTest)
    func depth(engine: QueueEngine) async throws {
        try await engine.withQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(60), maxAttempts: 1)) { (queue) async throws in
            #expect(try await queue.depth() == QueueDepth(queued: 0, delayed: 0, dead: 0))
            for n in 1...3 { try await queue.enqueue(Job(kind: "provision", payload: "\(n)")) }
            try await queue.enqueue(Job(kind: "provision", payload: "later"), delay: .seconds(600))
            let held = try await queue.claim(consumer: "w", max: 2, wait: .zero)
            #expect(held.count == 2)
            #expect(try await queue.depth() == QueueDepth(queued: 3, delayed: 1, dead: 0), "held jobs still count")
            try await queue.ack(held[0])
            _ = try await queue.fail(held[1], reason: "broken", retryAfter: .zero)
            #expect(try await queue.depth() == QueueDepth(queued: 1, delayed: 1, dead: 1))
        }
    }

    @Test("a consumer killed between claim and ack has its job delivered to another", arguments: QueueEngine.underTest)
    func abandonedJobIsRedelivered(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            let job = Job(kind: "provision", payload: "instance-1")
            try await queue.enqueue(job)
            let claimedAt = ContinuousClock.now
            let first = try await queue.claim(consumer: "doomed", max: 1, wait: .zero)
            #expect(first.map(\.job) == [job])
            // "doomed" dies here: no ack, no fail, no extend.

            try await expectNothingYet(since: claimedAt, within: QueueEngine.settings.visibilityTimeout) {
                try await queue.claim(consumer: "survivor", max: 1, wait: .zero)
            }
            try await Task.sleep(for: .milliseconds(2300))
            let second = try await queue.claim(consumer: "survivor", max: 1, wait: .zero)
            #expect(second.map(\.job) == [job])
            #expect(second.first?.attempt == 2)
            #expect(second.first?.consumer == "survivor")
            try await queue.ack(try #require(second.first))
            try await Task.sleep(for: .milliseconds(2300))
            #expect(try await queue.claim(consumer: "survivor", max: 1, wait: .zero).isEmpty)
        }
    }

    @Test("extend keeps a slow job with its consumer past the visibility timeout", arguments: QueueEngine.underTest)
    func extendKeepsJob(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            try await queue.enqueue(Job(kind: "clone"))
            let claimed = try #require(try await queue.claim(consumer: "slow", max: 1, wait: .zero).first)
            // 2.4 s in all, past the 2 s visibility timeout, with a sign of life every 400 ms:
            // margin for a loaded machine between two extends.
            var lastSignOfLife = ContinuousClock.now
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(400))
                lastSignOfLife = .now
                try await queue.extend(claimed)
            }
            try await expectNothingYet(since: lastSignOfLife, within: QueueEngine.settings.visibilityTimeout) {
                try await queue.claim(consumer: "other", max: 1, wait: .zero)
            }
            try await queue.ack(claimed)
        }
    }

    @Test("a failed job comes back after its delay with the next attempt number", arguments: QueueEngine.underTest)
    func delayedRetry(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            let job = Job(kind: "start")
            try await queue.enqueue(job)
            let first = try #require(try await queue.claim(consumer: "w", max: 1, wait: .zero).first)
            let failedAt = ContinuousClock.now
            #expect(try await queue.fail(first, reason: "node busy", retryAfter: .seconds(3)) == .retrying(after: .seconds(3)))
            try await expectNothingYet(since: failedAt, within: .seconds(3)) { try await queue.claim(consumer: "w", max: 1, wait: .zero) }
            let second = try await queue.claim(consumer: "w", max: 1, wait: .seconds(8))
            #expect(second.map(\.job) == [job])
            #expect(second.first?.attempt == 2)
        }
    }

    @Test("a job delayed at enqueue is not delivered before its time", arguments: QueueEngine.underTest)
    func delayedEnqueue(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            let job = Job(kind: "reap")
            let enqueuedAt = ContinuousClock.now
            try await queue.enqueue(job, delay: .seconds(3))
            try await expectNothingYet(since: enqueuedAt, within: .seconds(3)) { try await queue.claim(consumer: "w", max: 1, wait: .zero) }
            try await Task.sleep(for: .milliseconds(3300))
            #expect(try await queue.claim(consumer: "w", max: 1, wait: .zero).map(\.job) == [job])
        }
    }

    @Test("after its last attempt a failing job goes to the dead letters, with the reason", arguments: QueueEngine.underTest)
    func deadLetterAfterFailures(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            let job = Job(kind: "clone", payload: "vm")
            try await queue.enqueue(job)
            var outcomes: [JobFailureOutcome] = []
            for _ in 1...QueueEngine.settings.maxAttempts {
                let claimed = try #require(try await queue.claim(consumer: "w", max: 1, wait: .seconds(2)).first)
                outcomes.append(try await queue.fail(claimed, reason: "template 9000 does not exist", retryAfter: .milliseconds(10)))
            }
            #expect(outcomes.last == .deadLettered)
            #expect(outcomes.dropLast().allSatisfy { $0 != .deadLettered })
            #expect(try await queue.claim(consumer: "w", max: 1, wait: .milliseconds(100)).isEmpty)
            let dead = try await queue.deadLetters(limit: 10)
            #expect(dead == [DeadLetter(job: job, attempts: 3, reason: "template 9000 does not exist")])

            // A person retries it: back on the queue once, however many ask at once, with its attempts from 1.
            let retries = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { try await queue.retry(deadLetter: job.id) } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(retries == 1)
            #expect(try await queue.deadLetters(limit: 10).isEmpty)
            let again = try #require(try await queue.claim(consumer: "w", max: 1, wait: .seconds(2)).first)
            #expect(again.job == job && again.attempt == 1)
            #expect(try await queue.retry(deadLetter: JobID("no-such-job")) == false)
        }
    }

    @Test("a job whose consumers keep dying is dead-lettered too", arguments: QueueEngine.underTest)
    func poisonJobIsDeadLettered(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            let job = Job(kind: "crashes-its-worker")
            try await queue.enqueue(job)
            for attempt in 1...QueueEngine.settings.maxAttempts {
                let claimed = try await queue.claim(consumer: "w\(attempt)", max: 1, wait: .zero)
                #expect(claimed.first?.attempt == attempt)
                try await Task.sleep(for: .milliseconds(2300))
            }
            #expect(try await queue.claim(consumer: "w-last", max: 1, wait: .zero).isEmpty)
            let dead = try await queue.deadLetters(limit: 10)
            #expect(dead.map(\.job) == [job])
            #expect(dead.first?.attempts == QueueEngine.settings.maxAttempts)
        }
    }

    @Test("a late failure from a consumer that lost the job does not bring a finished job back", arguments: QueueEngine.underTest)
    func lateFailureAfterAck(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            try await queue.enqueue(Job(kind: "k"))
            let slow = try #require(try await queue.claim(consumer: "slow", max: 1, wait: .zero).first)
            try await Task.sleep(for: .milliseconds(2300))
            let fast = try #require(try await queue.claim(consumer: "fast", max: 1, wait: .zero).first)
            try await queue.ack(fast)
            _ = try await queue.fail(slow, reason: "timed out", retryAfter: .zero)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await queue.claim(consumer: "any", max: 1, wait: .milliseconds(100)).isEmpty)
        }
    }

    @Test("a waiting claim wakes up for a job enqueued meanwhile", arguments: QueueEngine.underTest)
    func blockingClaim(engine: QueueEngine) async throws {
        try await engine.withQueue { (queue) async throws in
            async let claimed = queue.claim(consumer: "waiter", max: 1, wait: .seconds(3))
            try await Task.sleep(for: .milliseconds(100))
            let job = Job(kind: "wake")
            try await queue.enqueue(job)
            #expect(try await claimed.map(\.job) == [job])
        }
    }

    @Test("each of many competing consumers gets different jobs, and all jobs are delivered", arguments: QueueEngine.underTest)
    func competingConsumers(engine: QueueEngine) async throws {
        // Redelivery after the visibility timeout is tested elsewhere; here a consumer slowed
        // past 2 s by a cold first run must not see its own unacked job come back.
        try await engine.withQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(120), maxAttempts: 3)) { (queue) async throws in
            let jobs = (0..<60).map { Job(kind: "k", payload: "\($0)") }
            for job in jobs { try await queue.enqueue(job) }
            let delivered = try await withThrowingTaskGroup(of: [JobID].self) { group in
                for consumer in 0..<4 {
                    group.addTask {
                        var mine: [JobID] = []
                        for _ in 0..<100 {
                            let batch = try await queue.claim(consumer: "c\(consumer)", max: 5, wait: .milliseconds(20))
                            if batch.isEmpty { break }
                            for claimed in batch {
                                mine.append(claimed.job.id)
                                try await queue.ack(claimed)
                            }
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [JobID]()) { $0 += $1 }
            }
            #expect(delivered.count == jobs.count)
            #expect(Set(delivered) == Set(jobs.map(\.id)))
        }
    }
}
