import Foundation
import GuacBridge
import LabCore
import Logging
import PVESim
import Provisioning
import Storage
import TestSupport
import Testing

@testable import LabGate

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
        try await run(
            worker(
                queue,
                [
                    "clone": { _, _ in
                        await recorder.record("try")
                        throw CloneFailed()
                    }
                ])
        ) {
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
        try await TestConfig.withServers { config in
            let backends = try await Backends.open(config)
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
}

/// The worker's side of "no lab waits for ever": when a lab's job is dead-lettered, the lab
/// fails with the job's last error, whatever state it waited in.
@Suite("Job worker and lab instances")
struct JobWorkerLabTests {
    static let token = SimTokenSpec(id: "labgate@pve!worker", secret: "5e0c2ab4-0000-4000-8000-00000000d1ed")

    @Test("a lab whose job is dead-lettered while placing it (the template's node answers 595) fails with the job's last error")
    func deadLetteredJobFailsItsLab() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-worker-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("test.sqlite").path)
        try await withCleanup {
            try await Migrator(database: database).migrate()
            let repositories = database.repositories()
            _ = try await repositories.environments.save(try EnvironmentSpec(name: "linux", vms: [VMSpec(template: 9000)]).environment())
            let platform = Platform(
                issuer: "https://moodle.example.edu", clientID: "c", authURL: "https://moodle.example.edu/a",
                tokenURL: "https://moodle.example.edu/t", jwksURL: "https://moodle.example.edu/j", createdAt: Date())
            try await repositories.platforms.insert(platform)
            let student = try await repositories.users.upsert(User(platformID: platform.id, subject: "ada")).id
            var simulated = SimConfiguration.small(nodeCount: 2, token: Self.token, timeScale: 1000)
            simulated.faults.calls = [SimCallFault(method: "GET", path: "/qemu/9000/config", trouble: .unreachable)]
            let cluster = try SimCluster(configuration: simulated)
            try await PVESimServer(cluster: cluster, requestLog: try? SimRequestLog(path: ProvisioningCommandTests.requestLogPath)).serving { url in
                let proxmox = try ProxmoxClient(
                    settings: ProxmoxSettings(
                        baseURL: url, tokenID: Self.token.id, tokenSecret: Self.token.secret,
                        retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(5), maxDelay: .milliseconds(10)), taskPollInterval: .milliseconds(5)))
                let ephemeral = MemoryEphemeralStore()
                // Fewer deliveries than the lifecycle's own attempts: the dead letter decides.
                let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 2))
                let stack = ProvisioningStack(
                    proxmox: proxmox, repositories: repositories, ephemeral: ephemeral, queue: queue,
                    desktops: GuacBridge(
                        settings: GuacBridgeSettings(), records: SQLGuacamoleRecords(database: database),
                        authJSON: AuthJSON(derivedFrom: Array("test secret".utf8)), ephemeral: ephemeral),
                    settings: ProvisioningSettings(pollInterval: .milliseconds(5), maxStepAttempts: 5), logger: Logger(label: "test"))
                var worker = JobWorker(
                    queue: queue, handlers: JobHandlers.provisioning(stack), concurrency: 4, visibilityTimeout: .seconds(30), logger: Logger(label: "test"))
                worker.backoff = { _ in .milliseconds(10) }
                worker.deadLetterHandlers = stack.deadLetters
                let (instance, _) = try await stack.operations.request(userID: student, environmentName: "linux")
                try await JobWorkerTests().run(worker) {
                    try await repositories.instances.find(id: instance.id)?.state.isResting == true
                }
                let failed = try #require(try await repositories.instances.find(id: instance.id))
                #expect(failed.state == .failed)
                #expect(
                    failed.failureReason?.hasPrefix("gave up after 2 attempts: Proxmox VE cannot reach the node (595 No route to host") == true,
                    "\(failed.failureReason ?? "")")
                #expect(try await queue.deadLetters(limit: 10).count == 1)
                try await proxmox.shutdown()
            }
        } cleanup: {
            await database.shutdown()
        }
    }
}
