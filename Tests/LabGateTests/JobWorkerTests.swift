import Foundation
@testable import LabGate
import LabCore
import Logging
import Storage
import TestSupport
import Testing

/// Collects what handlers saw, across tasks.
actor Recorder {
    private(set) var seen: [String] = []
    func record(_ value: String) { seen.append(value) }
}

@Suite("Job worker")
struct JobWorkerTests {
    func worker(_ queue: any JobQueue, _ handlers: [String: JobWorker.Handler]) -> JobWorker {
        var worker = JobWorker(queue: queue, handlers: handlers, concurrency: 4, visibilityTimeout: .seconds(30), logger: Logger(label: "test"))
        worker.backoff = { _ in .milliseconds(10) }
        return worker
    }

    /// Runs the worker until `done` holds (checked every 20 ms, for at most 10 s), then stops it.
    func run(_ worker: JobWorker, until done: @Sendable () async throws -> Bool) async throws {
        let task = Task { try await worker.run() }
        defer { task.cancel() }
        for _ in 0..<500 where try await !done() {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await done(), "the worker did not finish in time")
    }

    @Test("a job is run by the handler of its kind, acknowledged and counted")
    func runsAndAcks() async throws {
        _ = PrometheusMetrics.registry
        let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 3))
        let recorder = Recorder()
        try await queue.enqueue(Job(kind: "greet", payload: "ada"))
        try await queue.enqueue(Job(kind: "greet", payload: "grace"))
        let counted = #"labgate_jobs_total{kind="greet",outcome="succeeded"} 2"#
        try await run(worker(queue, ["greet": { job, _ in await recorder.record(job.payload) }])) {
            await recorder.seen.count == 2 && PrometheusMetrics.registry.emitToString().contains(counted)
        }
        #expect(Set(await recorder.seen) == ["ada", "grace"])
        try await Task.sleep(for: .milliseconds(50))
        #expect(await recorder.seen.count == 2)
        #expect(try await queue.deadLetters(limit: 10).isEmpty)
    }

    @Test("a handler that throws is retried, and dead-lettered with its error after the last attempt")
    func failingHandler() async throws {
        struct CloneFailed: Error, CustomStringConvertible { var description: String { "template 9000 is locked" } }
        let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 3))
        let recorder = Recorder()
        try await queue.enqueue(Job(kind: "clone"))
        try await run(worker(queue, ["clone": { _, _ in
            await recorder.record("try")
            throw CloneFailed()
        }])) {
            try await !queue.deadLetters(limit: 1).isEmpty
        }
        #expect(await recorder.seen.count == 3)
        #expect(try await queue.deadLetters(limit: 1).first?.reason == "template 9000 is locked")
    }

    @Test("a long job holds one slot only: the jobs behind it run meanwhile")
    func longJobDoesNotBlockOthers() async throws {
        let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 3))
        let recorder = Recorder()
        try await queue.enqueue(Job(kind: "slow"))
        try await queue.enqueue(Job(kind: "slow"))
        for index in 0..<10 { try await queue.enqueue(Job(kind: "quick", payload: "\(index)")) }
        let handlers: [String: JobWorker.Handler] = [
            "slow": { _, _ in try await Task.sleep(for: .seconds(60)) },
            "quick": { job, _ in await recorder.record(job.payload) },
        ]
        // Four slots, two taken by jobs that outlast the test: the other two drain the queue.
        try await run(worker(queue, handlers)) { await recorder.seen.count == 10 }
    }

    @Test("a job of a kind no handler knows is not lost: it is retried, then set aside with the reason")
    func unknownKind() async throws {
        let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 2))
        try await queue.enqueue(Job(kind: "from-the-future"))
        try await run(worker(queue, [:])) { try await !queue.deadLetters(limit: 1).isEmpty }
        #expect(try await queue.deadLetters(limit: 1).first?.reason.contains("no handler for job kind") == true)
    }

    @Test("the built-in audit job runs end to end through Redis and MariaDB", .enabled(if: TestConfig.serversUnderTest))
    func auditJobThroughServers() async throws {
        let config = try TestConfig.servers()
        let backends = try await Backends.open(config)
        try await backends.migrate()
        let provisioning = try await ProvisioningRuntime.open(config, backends: backends, logger: Logger(label: "test"))
        let job = Job(kind: "labgate.audit", payload: "queue check \(UUID().uuidString)")
        try await backends.queue.enqueue(job)
        try await run(worker(backends.queue, JobHandlers.all(backends: backends, provisioning: provisioning))) {
            try await backends.repositories.audit.list(AuditFilter(subject: "job/\(job.id)"), before: nil, limit: 5).first?.detail == job.payload
        }
        await provisioning.shutdown()
        await backends.close()
    }
}
