import Foundation

public typealias JobID = Identifier<Job>

/// A unit of background work: its kind picks the handler, its payload is the handler's input.
public struct Job: Sendable, Hashable, Codable {
    public var id: JobID
    public var kind: String
    public var payload: String

    public init(id: JobID = .random(), kind: String, payload: String = "") {
        self.id = id
        self.kind = kind
        self.payload = payload
    }
}

/// A job handed to one consumer, which must `ack` it, `fail` it or keep it alive with
/// `extend` before the visibility timeout passes; otherwise another consumer gets it.
public struct ClaimedJob: Sendable, Hashable {
    public var job: Job
    /// 1 on the first delivery, counting every delivery since (failures and lost consumers).
    public var attempt: Int
    /// The consumer it was handed to.
    public var consumer: String
    /// The queue's handle for this delivery; opaque to callers.
    public var receipt: String

    public init(job: Job, attempt: Int, consumer: String, receipt: String) {
        self.job = job
        self.attempt = attempt
        self.consumer = consumer
        self.receipt = receipt
    }
}

/// A job that failed too often and was set aside for a person to look at.
public struct DeadLetter: Sendable, Hashable {
    public var job: Job
    public var attempts: Int
    public var reason: String

    public init(job: Job, attempts: Int, reason: String) {
        self.job = job
        self.attempts = attempts
        self.reason = reason
    }
}

/// What became of a failed job.
public enum JobFailureOutcome: Sendable, Hashable {
    /// It will be delivered again after the delay.
    case retrying(after: Duration)
    /// It used up its attempts and went to the dead letters.
    case deadLettered
}

/// How a job queue treats jobs that are not acknowledged.
public struct JobQueueSettings: Sendable, Hashable {
    /// How long a claimed job may go without `ack`, `fail` or `extend` before it is given to another consumer.
    public var visibilityTimeout: Duration
    /// How many deliveries a job gets before it goes to the dead letters.
    public var maxAttempts: Int
    /// The pause before a failed job's second attempt; it doubles with each attempt, up to 5 minutes.
    public var retryDelay: Duration

    public init(visibilityTimeout: Duration = .seconds(300), maxAttempts: Int = 5, retryDelay: Duration = .seconds(5)) {
        self.visibilityTimeout = visibilityTimeout
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
    }

    /// The pause after failed attempt `attempt`: `retryDelay`, doubled for each attempt after the first, up to 5 minutes.
    public func backoff(after attempt: Int) -> Duration {
        min(retryDelay * (1 << min(max(attempt - 1, 0), 16)), .seconds(300))
    }
}

/// A work queue with at-least-once delivery: a job is delivered until a consumer acks it,
/// or until it has failed `maxAttempts` times and is dead-lettered.
public protocol JobQueue: Sendable {
    /// Adds a job, to be delivered now or after `delay`.
    func enqueue(_ job: Job, delay: Duration) async throws
    /// Up to `max` jobs for `consumer`: jobs whose previous consumer went silent past the
    /// visibility timeout first, then new ones; waits up to `wait` when there are none.
    func claim(consumer: String, max: Int, wait: Duration) async throws -> [ClaimedJob]
    /// Marks a job done; it is never delivered again.
    func ack(_ claimed: ClaimedJob) async throws
    /// Marks a delivery failed: the job comes back after `retryAfter`, or is dead-lettered
    /// when this was its last attempt.
    func fail(_ claimed: ClaimedJob, reason: String, retryAfter: Duration) async throws -> JobFailureOutcome
    /// Tells the queue the consumer is still working on the job, restarting its visibility timeout.
    func extend(_ claimed: ClaimedJob) async throws
    /// The dead letters, oldest first, at most `limit`.
    func deadLetters(limit: Int) async throws -> [DeadLetter]
    /// Puts the dead letter of this job back on the queue as a fresh job (attempts from 1);
    /// false if there is no such dead letter (never was, or already retried).
    func retry(deadLetter jobID: JobID) async throws -> Bool
    /// How many jobs the queue holds now, for the metrics.
    func depth() async throws -> QueueDepth
    /// Throws `StoreError.unavailable` if the queue cannot be reached.
    func ping() async throws
}

/// The jobs a queue holds at one moment.
public struct QueueDepth: Sendable, Equatable {
    /// Waiting for a worker, or held by one.
    public var queued: Int
    /// Failed and waiting for their next attempt.
    public var delayed: Int
    /// Given up on (dead letters).
    public var dead: Int

    public init(queued: Int, delayed: Int, dead: Int) {
        self.queued = queued
        self.delayed = delayed
        self.dead = dead
    }
}

extension JobQueue {
    /// Adds a job for delivery now.
    public func enqueue(_ job: Job) async throws {
        try await enqueue(job, delay: .zero)
    }
}
