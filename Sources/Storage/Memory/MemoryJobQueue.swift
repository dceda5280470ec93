import Foundation
import LabCore

/// The job queue in process memory, with the same delivery rules as `RedisJobQueue`:
/// the embedded default for a single process. Jobs do not survive a restart.
public actor MemoryJobQueue: JobQueue {
    private struct Pending {
        var job: Job
        var consumer: String
        var deadline: ContinuousClock.Instant
    }

    private let settings: JobQueueSettings
    private let clock = ContinuousClock()
    private var ready: [Job] = []
    private var delayed: [(due: ContinuousClock.Instant, job: Job)] = []
    private var pending: [String: Pending] = [:]
    private var deliveries: [JobID: Int] = [:]
    private var dead: [DeadLetter] = []
    private var nextReceipt: UInt64 = 0

    public init(settings: JobQueueSettings) {
        self.settings = settings
    }

    public func enqueue(_ job: Job, delay: Duration) {
        if delay > .zero {
            delayed.append((clock.now + delay, job))
        } else {
            ready.append(job)
        }
    }

    public func claim(consumer: String, max: Int, wait: Duration) async throws -> [ClaimedJob] {
        let deadline = clock.now + wait
        while true {
            let claimed = take(max: max, consumer: consumer)
            if !claimed.isEmpty || clock.now >= deadline { return claimed }
            try await Task.sleep(for: min(.milliseconds(5), deadline - clock.now))
        }
    }

    public func ack(_ claimed: ClaimedJob) {
        if pending.removeValue(forKey: claimed.receipt) != nil {
            deliveries[claimed.job.id] = nil
        }
    }

    public func fail(_ claimed: ClaimedJob, reason: String, retryAfter: Duration) -> JobFailureOutcome {
        if claimed.attempt >= settings.maxAttempts {
            if pending.removeValue(forKey: claimed.receipt) != nil {
                deadLetter(claimed.job, attempts: claimed.attempt, reason: reason)
            }
            return .deadLettered
        }
        // Only if this delivery is still pending: a job finished meanwhile by another consumer must not come back.
        if pending.removeValue(forKey: claimed.receipt) != nil {
            delayed.append((clock.now + retryAfter, claimed.job))
        }
        return .retrying(after: retryAfter)
    }

    public func extend(_ claimed: ClaimedJob) {
        pending[claimed.receipt]?.deadline = clock.now + settings.visibilityTimeout
        pending[claimed.receipt]?.consumer = claimed.consumer
    }

    public func deadLetters(limit: Int) -> [DeadLetter] {
        Array(dead.prefix(limit))
    }

    public func retry(deadLetter jobID: JobID) -> Bool {
        guard let index = dead.firstIndex(where: { $0.job.id == jobID }) else { return false }
        ready.append(dead.remove(at: index).job)
        return true
    }

    public func depth() -> QueueDepth {
        QueueDepth(queued: ready.count + pending.count, delayed: delayed.count, dead: dead.count)
    }

    public func ping() {}

    private func take(max: Int, consumer: String) -> [ClaimedJob] {
        let now = clock.now
        let due = delayed.filter { $0.due <= now }
        delayed.removeAll { $0.due <= now }
        ready += due.sorted { $0.due < $1.due }.map(\.job)

        // Abandoned deliveries first, as XAUTOCLAIM does; like a stream entry id, the
        // receipt stays the same when a job changes hands.
        var batch: [(receipt: String, job: Job)] = []
        for (receipt, delivery) in pending.sorted(by: { $0.key < $1.key }) where delivery.deadline <= now && batch.count < max {
            pending[receipt] = nil
            batch.append((receipt, delivery.job))
        }
        while batch.count < max, !ready.isEmpty {
            nextReceipt += 1
            batch.append((String(format: "%020llu", nextReceipt), ready.removeFirst()))
        }

        var claimed: [ClaimedJob] = []
        for (receipt, job) in batch {
            let attempt = (deliveries[job.id] ?? 0) + 1
            deliveries[job.id] = attempt
            if attempt > settings.maxAttempts {
                deadLetter(
                    job, attempts: attempt - 1,
                    reason: "not acknowledged after \(attempt - 1) deliveries (its consumers stopped or timed out)")
                continue
            }
            pending[receipt] = Pending(job: job, consumer: consumer, deadline: now + settings.visibilityTimeout)
            claimed.append(ClaimedJob(job: job, attempt: attempt, consumer: consumer, receipt: receipt))
        }
        return claimed
    }

    private func deadLetter(_ job: Job, attempts: Int, reason: String) {
        deliveries[job.id] = nil
        dead.append(DeadLetter(job: job, attempts: attempts, reason: reason))
    }
}
