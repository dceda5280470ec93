import Foundation
import LabCore

/// The job queue on a Redis stream with one consumer group.
///
/// A claimed job stays in the group's pending list until it is acked; a consumer that
/// dies leaves it there, and after the visibility timeout `XAUTOCLAIM` hands it to the
/// next consumer that claims. Deliveries are counted per job in a hash, so a job that
/// keeps killing its consumers is dead-lettered too. Delayed jobs wait in a sorted set
/// and are moved into the stream when due.
public final class RedisJobQueue: JobQueue {
    private let client: RedisClient
    private let settings: JobQueueSettings
    private let keys: Keys
    private static let group = "workers"

    private struct Keys {
        let stream: String, delayed: String, attempts: String, dead: String
    }

    public init(client: RedisClient, settings: JobQueueSettings, name: String = "jobs") {
        self.client = client
        self.settings = settings
        let base = client.keyPrefix + name
        keys = Keys(stream: base + ":stream", delayed: base + ":delayed", attempts: base + ":attempts", dead: base + ":dead")
    }

    public func enqueue(_ job: Job, delay: Duration) async throws {
        if delay > .zero {
            let due = Date().addingTimeInterval(Double(delay.milliseconds) / 1000)
            try await client.send("ZADD", keys.delayed, String(due.millisecondsSince1970), try Self.encode(job))
        } else {
            try await client.send("XADD", keys.stream, "*", "id", job.id.rawValue, "kind", job.kind, "payload", job.payload)
        }
    }

    public func claim(consumer: String, max: Int, wait: Duration) async throws -> [ClaimedJob] {
        let deadline = ContinuousClock.now + wait
        return try await withGroup {
            while true {
                let nextDue = try await self.promoteDueJobs()
                var entries = try await self.reclaimAbandoned(consumer: consumer, max: max)
                // Block no longer than until the next delayed job falls due, so it is not left waiting.
                let remaining = deadline - ContinuousClock.now
                let block = entries.isEmpty ? min(remaining, nextDue ?? remaining) : .zero
                if entries.count < max {
                    entries += try await self.readNew(consumer: consumer, max: max - entries.count, wait: Swift.max(block, .zero))
                }
                let claimed = try await self.deliver(entries, to: consumer)
                if !claimed.isEmpty || ContinuousClock.now >= deadline { return claimed }
            }
        }
    }

    public func ack(_ claimed: ClaimedJob) async throws {
        _ = try await client.eval(
            """
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[1], ARGV[2])
            redis.call('HDEL', KEYS[2], ARGV[3])
            return 1
            """, keys: [keys.stream, keys.attempts], arguments: [Self.group, claimed.receipt, claimed.job.id.rawValue])
    }

    public func fail(_ claimed: ClaimedJob, reason: String, retryAfter: Duration) async throws -> JobFailureOutcome {
        if claimed.attempt >= settings.maxAttempts {
            try await deadLetter(claimed.job, receipt: claimed.receipt, attempts: claimed.attempt, reason: reason)
            return .deadLettered
        }
        let due = Date().addingTimeInterval(Double(retryAfter.milliseconds) / 1000)
        // Only if this delivery is still pending: a job meanwhile finished by another
        // consumer (after ours timed out) must not come back.
        _ = try await client.eval(
            """
            if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
            redis.call('XDEL', KEYS[1], ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
            return 1
            """, keys: [keys.stream, keys.delayed],
            arguments: [Self.group, claimed.receipt, String(due.millisecondsSince1970), try Self.encode(claimed.job)])
        return .retrying(after: retryAfter)
    }

    public func extend(_ claimed: ClaimedJob) async throws {
        try await client.send("XCLAIM", keys.stream, Self.group, claimed.consumer, "0", claimed.receipt, "JUSTID")
    }

    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await client.send("XRANGE", keys.dead, "-", "+", "COUNT", String(limit)).array.compactMap { entry in
            let fields = Self.fields(of: entry)
            guard let job = Self.job(from: fields) else { return nil }
            return DeadLetter(job: job, attempts: Int(fields["attempts"] ?? "") ?? 0, reason: fields["reason"] ?? "")
        }
    }

    public func retry(deadLetter jobID: JobID) async throws -> Bool {
        // One script finds, removes and requeues the letter, so two retries at once requeue it once.
        try await client.eval(
            """
            local letters = redis.call('XRANGE', KEYS[1], '-', '+')
            for _, entry in ipairs(letters) do
                local fields = entry[2]
                for index = 1, #fields, 2 do
                    if fields[index] == 'id' and fields[index + 1] == ARGV[1] then
                        local job = {}
                        for at = 1, #fields, 2 do job[fields[at]] = fields[at + 1] end
                        redis.call('XDEL', KEYS[1], entry[1])
                        redis.call('XADD', KEYS[2], '*', 'id', job.id, 'kind', job.kind, 'payload', job.payload or '')
                        return 1
                    end
                end
            end
            return 0
            """, keys: [keys.dead, keys.stream], arguments: [jobID.rawValue]
        ).integer == 1
    }

    public func depth() async throws -> QueueDepth {
        let counts = try await client.pipeline([["XLEN", keys.stream], ["ZCARD", keys.delayed], ["XLEN", keys.dead]]).map { $0.integer.map(Int.init) }
        guard counts.count == 3, let queued = counts[0], let delayed = counts[1], let dead = counts[2] else {
            throw StoreError.failed("Redis answered the queue's lengths with \(counts)")
        }
        return QueueDepth(queued: queued, delayed: delayed, dead: dead)
    }

    public func ping() async throws {
        try await client.send("PING")
    }

    // MARK: - Steps of a claim

    private typealias Entry = (id: String, job: Job)

    /// Moves due delayed jobs into the stream; returns how long until the next one falls due, if any waits.
    private func promoteDueJobs() async throws -> Duration? {
        let now = Date().millisecondsSince1970
        let reply = try await client.eval(
            """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
            for _, member in ipairs(due) do
                redis.call('ZREM', KEYS[1], member)
                local job = cjson.decode(member)
                redis.call('XADD', KEYS[2], '*', 'id', job.id, 'kind', job.kind, 'payload', job.payload)
            end
            local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            if #next == 0 then return false end
            return next[2]
            """, keys: [keys.delayed, keys.stream], arguments: [String(now)])
        return reply.integer.map { .milliseconds(Swift.max(1, $0 - now)) }
    }

    private func reclaimAbandoned(consumer: String, max: Int) async throws -> [Entry] {
        let reply = try await client.send(
            "XAUTOCLAIM", keys.stream, Self.group, consumer, String(settings.visibilityTimeout.milliseconds), "0-0",
            "COUNT", String(max))
        let parts = reply.array
        return parts.count > 1 ? Self.entries(parts[1].array) : []
    }

    private func readNew(consumer: String, max: Int, wait: Duration) async throws -> [Entry] {
        var command = ["XREADGROUP", "GROUP", Self.group, consumer, "COUNT", String(max)]
        // BLOCK 0 would wait forever: without a wait, do not block at all.
        if wait > .zero { command += ["BLOCK", wait.redisMilliseconds] }
        command += ["STREAMS", keys.stream, ">"]
        let reply = try await client.pipeline([command], extraWait: wait)[0].checked()
        return reply.array.flatMap { stream in Self.entries(stream.array.count > 1 ? stream.array[1].array : []) }
    }

    /// Counts the delivery of each entry; hands out those within their attempts and
    /// dead-letters those whose consumers kept vanishing.
    private func deliver(_ entries: [Entry], to consumer: String) async throws -> [ClaimedJob] {
        guard !entries.isEmpty else { return [] }
        let counts = try await client.pipeline(entries.map { ["HINCRBY", keys.attempts, $0.job.id.rawValue, "1"] })
        var claimed: [ClaimedJob] = []
        for (entry, count) in zip(entries, counts) {
            let attempt = Int(try count.checked().integer ?? 1)
            if attempt > settings.maxAttempts {
                try await deadLetter(
                    entry.job, receipt: entry.id, attempts: attempt - 1,
                    reason: "not acknowledged after \(attempt - 1) deliveries (its consumers stopped or timed out)")
            } else {
                claimed.append(ClaimedJob(job: entry.job, attempt: attempt, consumer: consumer, receipt: entry.id))
            }
        }
        return claimed
    }

    private func deadLetter(_ job: Job, receipt: String, attempts: Int, reason: String) async throws {
        _ = try await client.eval(
            """
            if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
            redis.call('XDEL', KEYS[1], ARGV[2])
            redis.call('HDEL', KEYS[2], ARGV[3])
            redis.call('XADD', KEYS[3], '*', 'id', ARGV[3], 'kind', ARGV[4], 'payload', ARGV[5], 'attempts', ARGV[6], 'reason', ARGV[7])
            return 1
            """, keys: [keys.stream, keys.attempts, keys.dead],
            arguments: [Self.group, receipt, job.id.rawValue, job.kind, job.payload, String(attempts), reason])
    }

    /// Runs `body`, creating the consumer group first if Redis says it is missing (a new or flushed Redis).
    private func withGroup<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch StoreError.failed(let message) where message.contains("NOGROUP") {
            // From the stream's start, so jobs enqueued before any worker existed are delivered.
            let created = try await client.pipeline([["XGROUP", "CREATE", keys.stream, Self.group, "0", "MKSTREAM"]])[0]
            if case .error(let error) = created, !error.hasPrefix("BUSYGROUP") { _ = try created.checked() }
            return try await body()
        }
    }

    // MARK: - Encoding

    private static func encode(_ job: Job) throws -> String {
        String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
    }

    private static func entries(_ items: [RESPValue]) -> [Entry] {
        items.compactMap { item in
            let parts = item.array
            guard parts.count == 2, let id = parts[0].string, let job = job(from: fields(of: item)) else { return nil }
            return (id, job)
        }
    }

    private static func fields(of entry: RESPValue) -> [String: String] {
        let parts = entry.array
        guard parts.count == 2 else { return [:] }
        let flat = parts[1].array.compactMap(\.string)
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            fields[flat[index]] = flat[index + 1]
        }
        return fields
    }

    private static func job(from fields: [String: String]) -> Job? {
        guard let id = fields["id"], let kind = fields["kind"] else { return nil }
        return Job(id: JobID(id), kind: kind, payload: fields["payload"] ?? "")
    }
}
