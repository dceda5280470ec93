import Foundation
import GuacBridge
import LabCore
import LabGate
import Logging
import NIOConcurrencyHelpers
import PVESim
import Provisioning
import Storage
import WebSupport

/// "What happens when 300 students click at 9:00?": the real provisioning code (queue,
/// workers, placement, clone slots, lifecycle) against a simulated cluster whose clock runs
/// `timeScale` times faster, on a throw-away SQLite database and the in-process queue.
struct BurstSimulation: Sendable {
    var students: Int
    /// Students arrive evenly over this many (simulated) seconds.
    var within: Double
    var nodes: Int
    var cloneSeconds: Double
    var clonesPerNode: Int
    var timeScale: Double
    var workers: Int
    var workerConcurrency: Int
    /// The share of PVESim calls that run into trouble (595s, lock timeouts, cut connections,
    /// failed tasks, slow guest agents), drawn from `seed`.
    var faultRate: Double = 0
    var seed: UInt64?

    /// What a run ended with, in simulated seconds.
    struct Outcome: CustomStringConvertible {
        var ready: Int
        var students: Int
        var makespan: Double
        var bound: Double
        /// Each ready student's wait from their click to their ready lab, sorted.
        var waits: [Double]
        var duplicates: Int
        var failures: Int
        /// Instances still in a transient state when the run ended.
        var stuck: Int
        /// Failed instances without a reason a person can act on.
        var unexplained: Int
        /// VMs that no ready or stopped instance holds, after the reconciler's pass.
        var orphans: Int
        var rssMB: Int

        /// The wait below which `share` of the ready students' waits lie (nearest rank).
        func wait(_ share: Double) -> Double { waits.nearestRank(share) }

        var description: String {
            "ready=\(ready)/\(students) makespan_s=\(String(format: "%.1f", makespan)) bound_s=\(String(format: "%.1f", bound)) "
                + "p50_wait_s=\(String(format: "%.1f", wait(0.5))) p95_wait_s=\(String(format: "%.1f", wait(0.95))) "
                + "max_wait_s=\(String(format: "%.1f", waits.last ?? 0)) "
                + "ratio=\(String(format: "%.3f", makespan / bound)) duplicates=\(duplicates) failures=\(failures) "
                + "stuck=\(stuck) unexplained=\(unexplained) orphans=\(orphans) rss_mb=\(rssMB)"
        }

        /// Whatever the faults, nothing may be left half-way, unexplained, doubled or behind.
        var holds: Bool { stuck == 0 && unexplained == 0 && orphans == 0 && duplicates == 0 }
    }

    /// The simulated cluster: `nodes` nodes sharing the template's storage, which takes as
    /// many clones at once as the nodes together may run.
    var simConfiguration: SimConfiguration {
        var configuration = SimConfiguration.small(nodeCount: nodes, token: Self.token, timeScale: timeScale)
        for index in configuration.nodes.indices {
            configuration.nodes[index].cloneSeconds = cloneSeconds
            configuration.nodes[index].memoryMiB = 4_194_304
        }
        configuration.storages[0].maxConcurrentClones = nodes * clonesPerNode
        configuration.faults.randomRate = faultRate
        configuration.faults.seed = seed
        return configuration
    }

    /// The shortest possible makespan under the limits: clones started first come, first
    /// served on `nodes × clonesPerNode` slots (optimal for equal durations), then each
    /// instance's fixed tail of start, guest-agent delay and snapshot.
    var bound: Double {
        let durations = simConfiguration.durations
        var slots = Array(repeating: 0.0, count: nodes * clonesPerNode)
        var lastClone = 0.0
        for index in 0..<students {
            let arrival = students > 1 ? within * Double(index) / Double(students - 1) : 0
            let slot = slots.indices.min { slots[$0] < slots[$1] }!
            slots[slot] = max(arrival, slots[slot]) + cloneSeconds
            lastClone = max(lastClone, slots[slot])
        }
        return lastClone + durations.start + durations.agentDelay + durations.snapshot
    }

    func run() async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-burst-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("burst.sqlite").path)
        defer { Task { await database.shutdown() } }
        try await Migrator(database: database).migrate()
        let repositories = database.repositories()
        let cluster = try SimCluster(configuration: simConfiguration)
        return try await PVESimServer(cluster: cluster).serving { baseURL in
            try await run(repositories: repositories, guacamole: SQLGuacamoleRecords(database: database), cluster: cluster, baseURL: baseURL)
        }
    }

    /// Simulated seconds as real time.
    private func real(_ simulated: Double) -> Duration { .seconds(simulated / timeScale) }

    private func run(repositories: Repositories, guacamole: any GuacamoleRecords, cluster: SimCluster, baseURL: String) async throws -> Outcome {
        var logger = Logger(label: "labgate.simulate")
        logger.logLevel = .error
        let poll = real(0.5)
        let proxmox = try ProxmoxClient(
            settings: ProxmoxSettings(
                baseURL: baseURL, tokenID: Self.token.id, tokenSecret: Self.token.secret, taskPollInterval: poll), logger: logger)
        let settings = ProvisioningSettings(
            maxClonesPerNode: clonesPerNode, maxClonesPerStorage: nodes * clonesPerNode, cloneTimeout: real(3600),
            taskTimeout: real(3600), addressTimeout: real(3600), pollInterval: poll, slotWait: real(36_000), instanceLease: real(36_000),
            orphanGrace: .zero)
        let ephemeral = MemoryEphemeralStore()
        let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: real(36_000), maxAttempts: 5))
        let desktops = GuacBridge(
            settings: GuacBridgeSettings(), records: guacamole, authJSON: AuthJSON(derivedFrom: Array(UUID().uuidString.utf8)), ephemeral: ephemeral)
        let stack = ProvisioningStack(
            proxmox: proxmox, repositories: repositories, ephemeral: ephemeral, queue: queue, desktops: desktops, settings: settings,
            reconcileLockTTL: real(600), logger: logger)
        let operations = stack.operations
        let environment = EnvironmentSpec(name: "burst", vms: [VMSpec(template: 9000)])
        _ = try await repositories.environments.save(try environment.environment())
        let users = try await makeStudents(repositories)

        let workerServices = (0..<workers).map { _ in
            var worker = JobWorker(
                queue: queue, handlers: JobHandlers.provisioning(stack),
                concurrency: workerConcurrency, visibilityTimeout: real(36_000), logger: logger)
            worker.backoff = JobQueueSettings(retryDelay: real(5)).backoff(after:)
            worker.deadLetterHandlers = stack.deadLetters
            return worker
        }
        let start = ContinuousClock.now
        let clicked = NIOLockedValueBox<[UserID: Date]>([:])
        let settled = try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workerServices { group.addTask { try await worker.run() } }
            // Every student clicks twice at once: a double click must not make a second VM.
            try await withThrowingTaskGroup(of: Void.self) { clicks in
                for (index, user) in users.enumerated() {
                    let arrival = students > 1 ? within * Double(index) / Double(students - 1) : 0
                    clicks.addTask {
                        try await Task.sleep(until: start + real(arrival))
                        clicked.withLockedValue { $0[user] = Date() }
                        async let first = operations.request(userID: user, environmentName: "burst")
                        async let second = operations.request(userID: user, environmentName: "burst")
                        _ = try await (first, second)
                    }
                }
                try await clicks.waitForAll()
            }
            // Retries under faults take their backoff on top of the clone limits' bound.
            let finished = try await waitUntilSettled(repositories, deadline: start + real(bound * 4 + (faultRate > 0 ? 1200 : 0)))
            group.cancelAll()
            return finished
        }
        let elapsed = ContinuousClock.now - start
        // The trouble passes; the reconciler's pass removes what failed labs left behind.
        cluster.faults = SimFaults()
        _ = try await stack.reconciler.reconcile(holder: "burst")
        try? await proxmox.shutdown()
        let instances = try await repositories.instances.list(states: Set(LabInstanceState.allCases), limit: students * 4)
        let ready = instances.filter { $0.state == .ready }
        let clones = cluster.virtualMachines().filter { !$0.isTemplate }
        let held = Set(instances.filter { [.ready, .stopped].contains($0.state) }.flatMap(\.vmids))
        let perUser = Dictionary(grouping: instances, by: \.userID).values.filter { $0.count > 1 }.count
        let failed = instances.filter { $0.state == .failed }
        // A ready lab's last save made it ready; the makespan runs from the first click, as the bound counts.
        let clicks = clicked.withLockedValue { $0 }
        let firstClick = clicks.values.min() ?? Date()
        let makespan = settled ? (ready.map(\.updatedAt).max() ?? firstClick).timeIntervalSince(firstClick) : elapsed.timeInterval
        return Outcome(
            ready: ready.count, students: students, makespan: makespan * timeScale, bound: bound,
            waits: ready.compactMap { lab in clicks[lab.userID].map { lab.updatedAt.timeIntervalSince($0) * timeScale } }.sorted(),
            duplicates: max(0, clones.count - instances.count) + perUser, failures: failed.count,
            stuck: instances.filter { !$0.state.isResting }.count,
            unexplained: failed.filter { ($0.failureReason ?? "").trimmingCharacters(in: .whitespaces).isEmpty }.count,
            orphans: clones.filter { !held.contains($0.vmid) }.count, rssMB: LaunchBenchmark.residentMegabytes())
    }

    /// Waits until every instance rests; false on timeout.
    private func waitUntilSettled(_ repositories: Repositories, deadline: ContinuousClock.Instant) async throws -> Bool {
        while ContinuousClock.now < deadline {
            let instances = try await repositories.instances.list(states: Set(LabInstanceState.allCases), limit: students * 4)
            if instances.count >= students, instances.allSatisfy(\.state.isResting) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func makeStudents(_ repositories: Repositories) async throws -> [UserID] {
        let platform = Platform(
            issuer: "https://burst.labgate.invalid", clientID: "burst", authURL: "https://burst.labgate.invalid/auth",
            tokenURL: "https://burst.labgate.invalid/token", jwksURL: "https://burst.labgate.invalid/jwks", status: .pending, createdAt: Date())
        try await repositories.platforms.insert(platform)
        var users: [UserID] = []
        for index in 0..<students {
            users.append(try await repositories.users.upsert(User(platformID: platform.id, subject: "student-\(index)")).id)
        }
        return users
    }

    static let token = SimTokenSpec(id: "labgate@pve!burst", secret: UUID().uuidString)
}

extension [Double] {
    /// The value below which `share` of these sorted values lie (nearest rank); 0 when there are none.
    func nearestRank(_ share: Double) -> Double {
        isEmpty ? 0 : self[Swift.min(count - 1, Swift.max(0, Int((share * Double(count)).rounded(.up)) - 1))]
    }
}
