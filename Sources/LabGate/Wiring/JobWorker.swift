import Foundation
import LTIGateway
import LabCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Claims jobs from the queue and runs the handler of each job's kind: acks what
/// succeeds, fails what throws (to come back with backoff, or be dead-lettered), and
/// keeps long jobs alive with `extend`. Up to `concurrency` jobs run at once, and a slot
/// that frees is filled at once, so one long job never holds up the others. A service: it
/// stops claiming on graceful shutdown and finishes the jobs it holds.
package struct JobWorker: Service {
    /// Runs one job; throwing makes the queue deliver it again later.
    package typealias Handler = @Sendable (Job, Logger) async throws -> Void
    /// Runs when a job of its kind was dead-lettered, with its last error: what the job was
    /// for must not wait for ever (a lab instance is failed with that reason).
    package typealias DeadLetterHandler = @Sendable (Job, _ reason: String) async throws -> Void

    let queue: any JobQueue
    let handlers: [String: Handler]
    package var deadLetterHandlers: [String: DeadLetterHandler] = [:]
    let concurrency: Int
    let visibilityTimeout: Duration
    let consumer: String
    let logger: Logger
    /// How long a failed job waits before its next attempt, by the attempt that failed.
    package var backoff: @Sendable (Int) -> Duration = JobQueueSettings().backoff(after:)

    package init(queue: any JobQueue, handlers: [String: Handler], concurrency: Int, visibilityTimeout: Duration, logger: Logger) {
        self.queue = queue
        self.handlers = handlers
        self.concurrency = concurrency
        self.visibilityTimeout = visibilityTimeout
        self.consumer = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"
        self.logger = logger
    }

    /// The worker of a process: every job kind this build knows, sized by the configuration.
    package init(backends: Backends, provisioning: ProvisioningRuntime, lti: LTIJobs, config: LabGateConfig, logger: Logger) {
        self.init(
            queue: backends.queue, handlers: JobHandlers.all(backends: backends, provisioning: provisioning, lti: lti),
            concurrency: config.workerConcurrency,
            visibilityTimeout: config.queue.visibilityTimeout, logger: logger)
        backoff = config.queue.backoff(after:)
        deadLetterHandlers = provisioning.stack.deadLetters
    }

    package func run() async throws {
        logger.info("worker started", metadata: ["consumer": .string(consumer), "kinds": .string(handlers.keys.sorted().joined(separator: ","))])
        let running = InFlightCount()
        var pause = Duration.milliseconds(100)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let free = concurrency - running.value
                guard free > 0 else {
                    try? await Task.sleep(for: .milliseconds(10))
                    continue
                }
                do {
                    let batch = try await queue.claim(consumer: consumer, max: free, wait: .seconds(2))
                    pause = .milliseconds(100)
                    for claimed in batch {
                        running.add(1)
                        group.addTask {
                            await self.process(claimed)
                            running.add(-1)
                        }
                    }
                } catch is CancellationError {
                    break
                } catch {
                    // The queue is unreachable: wait, longer each time up to 10 s, and try again.
                    logger.error("cannot claim jobs", metadata: ["error": .string("\(error)")])
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(10))
                }
            }
        }
        logger.info("worker stopped", metadata: ["consumer": .string(consumer)])
    }

    /// Runs one job to its end and tells the queue how it went.
    func process(_ claimed: ClaimedJob) async {
        var jobLogger = logger
        jobLogger[metadataKey: "job"] = .string(claimed.job.id.rawValue)
        jobLogger[metadataKey: "kind"] = .string(claimed.job.kind)
        jobLogger[metadataKey: "attempt"] = .stringConvertible(claimed.attempt)
        let logger = jobLogger
        let start = ContinuousClock.now
        do {
            guard let handler = handlers[claimed.job.kind] else {
                // Retried rather than dropped: during a rolling upgrade a newer worker may know the kind.
                throw UnknownJobKind(kind: claimed.job.kind)
            }
            try await withHeartbeat(claimed) { try await handler(claimed.job, logger) }
            try await queue.ack(claimed)
            record(claimed, outcome: "succeeded", since: start)
        } catch {
            let retryAfter = backoff(claimed.attempt)
            do {
                let outcome = try await queue.fail(claimed, reason: "\(error)", retryAfter: retryAfter)
                record(claimed, outcome: outcome == .deadLettered ? "dead-lettered" : "retrying", since: start)
                logger.warning("job failed", metadata: ["error": .string("\(error)"), "outcome": .string("\(outcome)")])
                if outcome == .deadLettered { await endDeadLetter(claimed, error, logger: logger) }
            } catch {
                logger.error("cannot report a failed job; it will be redelivered", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// Ends what a dead-lettered job was for; if that fails too, the reconciler ends it later
    /// (a lab untouched for twice `provisioning.stuckAfterMinutes`).
    private func endDeadLetter(_ claimed: ClaimedJob, _ error: any Error, logger: Logger) async {
        guard let handler = deadLetterHandlers[claimed.job.kind] else { return }
        do {
            try await handler(claimed.job, Self.gaveUp(after: claimed.attempt, error))
        } catch {
            logger.error("cannot end what a dead-lettered job was for; the reconciler will", metadata: ["error": .string("\(error)")])
        }
    }

    /// Counts jobs by kind and outcome, and times them, for `/metrics`.
    private func record(_ claimed: ClaimedJob, outcome: String, since start: ContinuousClock.Instant) {
        let dimensions = [("kind", claimed.job.kind), ("outcome", outcome)]
        Counter(label: "labgate_jobs_total", dimensions: dimensions).increment()
        Metrics.Timer(label: "labgate_job_duration_seconds", dimensions: dimensions).recordNanoseconds((ContinuousClock.now - start).nanoseconds)
    }

    /// Runs `body` while telling the queue, every third of the visibility timeout, that the job is still being worked on.
    private func withHeartbeat(_ claimed: ClaimedJob, _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: visibilityTimeout / 3)
                    try? await queue.extend(claimed)
                }
            }
            try await body()
            group.cancelAll()
        }
    }

    /// What a job that will not be tried again leaves as the reason of what it was for.
    package static func gaveUp(after attempts: Int, _ error: any Error) -> String {
        "gave up after \(attempts) attempts: \(error)"
    }
}

/// A job whose kind no handler in this process knows.
struct UnknownJobKind: Error, CustomStringConvertible {
    var kind: String
    var description: String { "no handler for job kind \(kind.debugDescription) in this worker" }
}

/// How many jobs a worker runs now, shared by the claiming loop and the jobs themselves.
private final class InFlightCount: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func add(_ delta: Int) {
        count.withLock { $0 += delta }
    }
}
