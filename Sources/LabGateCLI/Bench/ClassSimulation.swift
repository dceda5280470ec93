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

/// "Will the desktops be ready at 9:00, and at what cost?": a roster of `students`, a class at
/// T, arrivals spread over `within` seconds after T and a share that never comes, run with
/// LabGate preparing the class (or not) against PVESim, with LabGate's clock running as fast as
/// the cluster's so that the preparer's plan, idle pausing and the class's end follow it. A
/// wait runs from a student's click to their working single-use link; VM hours count every
/// running clone until the class ends, against the least the class needs (each present
/// student's VM from their click to the end).
struct ClassSimulation: Sendable {
    var students: Int
    var within: Double
    /// The share of the roster that never comes.
    var noShow: Double
    /// The class's length in (simulated) minutes.
    var minutes: Double
    var spares: Int
    var prepare: Bool
    /// The cluster: nodes, clone limits and durations, and the time scale.
    var cluster: BurstSimulation
    /// How often the reconciler (and its preparer) passes, in simulated seconds.
    static let passSeconds = 60.0
    /// Simulated seconds from the run's start to the class: time enough to prepare it.
    static let lead = 900.0

    struct Outcome: CustomStringConvertible {
        var students: Int
        var prepared: Int
        /// Each present student's wait, sorted.
        var waits: [Double]
        var vmHours: Double
        var vmHoursMin: Double
        var duplicates: Int
        var failures: Int

        var description: String {
            "students=\(students) prepared=\(prepared) p50_wait_s=\(String(format: "%.1f", waits.nearestRank(0.5))) "
                + "p95_wait_s=\(String(format: "%.1f", waits.nearestRank(0.95))) max_wait_s=\(String(format: "%.1f", waits.last ?? 0)) "
                + "vm_hours=\(String(format: "%.2f", vmHours)) vm_hours_min=\(String(format: "%.2f", vmHoursMin)) "
                + "duplicates=\(duplicates) failures=\(failures)"
        }
    }

    private func real(_ simulated: Double) -> Duration { .seconds(simulated / cluster.timeScale) }

    func run() async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-class-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("class.sqlite").path)
        defer { Task { await database.shutdown() } }
        try await Migrator(database: database).migrate()
        let sim = try SimCluster(configuration: cluster.simConfiguration)
        return try await PVESimServer(cluster: sim).serving { baseURL in
            try await run(database: database, sim: sim, baseURL: baseURL)
        }
    }

    private func run(database: any SQLDatabase, sim: SimCluster, baseURL: String) async throws -> Outcome {
        var logger = Logger(label: "labgate.simulate")
        logger.logLevel = .error
        let clock = ScaledClock(scale: cluster.timeScale)
        let repositories = database.repositories()
        let poll = real(0.5)
        let proxmox = try ProxmoxClient(
            settings: ProxmoxSettings(
                baseURL: baseURL, tokenID: BurstSimulation.token.id, tokenSecret: BurstSimulation.token.secret, taskPollInterval: poll),
            logger: logger)
        // Durations LabGate compares with its clock are simulated seconds; those it sleeps are real.
        let settings = ProvisioningSettings(
            maxClonesPerNode: cluster.clonesPerNode, maxClonesPerStorage: cluster.nodes * cluster.clonesPerNode, cloneTimeout: real(3600),
            taskTimeout: real(3600), addressTimeout: .seconds(3600), pollInterval: poll, slotWait: real(36_000), instanceLease: real(36_000),
            orphanGrace: .seconds(36_000), stuckAfter: .seconds(36_000), workerJobs: cluster.workerConcurrency)
        let ephemeral = MemoryEphemeralStore()
        let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: real(36_000), maxAttempts: 5))
        let guacamole = SQLGuacamoleRecords(database: database)
        let desktops = GuacBridge(
            settings: GuacBridgeSettings(), records: guacamole, authJSON: AuthJSON(derivedFrom: Array(UUID().uuidString.utf8)), ephemeral: ephemeral,
            clock: clock)
        let stack = ProvisioningStack(
            proxmox: proxmox, repositories: repositories, ephemeral: ephemeral, queue: queue, desktops: desktops, settings: settings, clock: clock,
            logger: logger)
        let (course, environment, roster) = try await makeClass(repositories)
        let worker = {
            var worker = JobWorker(
                queue: queue, handlers: JobHandlers.provisioning(stack), concurrency: cluster.workerConcurrency, visibilityTimeout: real(36_000),
                logger: logger)
            worker.backoff = JobQueueSettings(retryDelay: real(5)).backoff(after:)
            worker.deadLetterHandlers = stack.deadLetters
            return worker
        }()

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await warmUp(stack, repositories, environment: environment, course: course)
            let start = clock.now().addingTimeInterval(prepare ? Self.lead : 5)
            let end = start.addingTimeInterval(minutes * 60)
            if prepare {
                _ = try await repositories.enrolments.replace(
                    courseID: course.id, with: roster.map { Enrolment(subject: $0.subject, roles: ["Learner"]) }, at: clock.now())
                try await repositories.classSessions.add(
                    ClassSession(courseID: course.id, environmentID: environment.id, startsAt: start, endsAt: end, spares: spares, createdAt: clock.now()))
            }
            group.addTask {
                while !Task.isCancelled {
                    _ = try? await stack.reconciler.reconcile(holder: "simulate-class")
                    try await Task.sleep(for: real(Self.passSeconds))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    _ = try? await stack.reconciler.prepareClasses(holder: "simulate-class")
                    try await Task.sleep(for: ClassPreparer.tick / cluster.timeScale)
                }
            }
            let running = NIOLockedValueBox(0.0)
            group.addTask {
                // VM seconds, sampled every simulated 5 s until the class ends.
                while clock.now() < end {
                    let count = sim.virtualMachines().filter { !$0.isTemplate && $0.running }.count
                    running.withLockedValue { $0 += Double(count) * 5 }
                    try await Task.sleep(for: real(5))
                }
            }
            let present = roster.enumerated().filter { index, _ in !isNoShow(index) }.map(\.element)
            let waits = try await arrivals(
                present, at: start, operations: stack.operations, repositories: repositories, course: course, environment: environment,
                desktops: (desktops, guacamole), clock: clock)
            while clock.now() < end { try await Task.sleep(for: real(5)) }
            let instances = try await repositories.instances.list(states: Set(LabInstanceState.allCases).subtracting([.deleted]), limit: 1_000_000)
            let prepared = try await repositories.audit.list(AuditFilter(courseID: course.id), before: nil, limit: 100_000)
                .filter { $0.action.hasPrefix("instance.prepare") }.count
            group.cancelAll()
            try? await proxmox.shutdown()
            let clones = sim.virtualMachines().filter { !$0.isTemplate }
            let owners = Dictionary(grouping: instances.filter { !$0.isSpare }, by: \.userID).values.filter { $0.count > 1 }.count
            return Outcome(
                students: students, prepared: prepared, waits: waits.map(\.wait).sorted(), vmHours: running.withLockedValue { $0 } / 3600,
                vmHoursMin: waits.reduce(0) { $0 + end.timeIntervalSince($1.click) } / 3600,
                duplicates: max(0, clones.count - Set(instances.flatMap(\.vmids)).count) + owners,
                failures: instances.filter { $0.state == .failed }.count + (present.count - waits.count))
        }
    }

    /// The `noShow` share of the roster that never comes, spread evenly over it (every tenth for 10 %).
    private func isNoShow(_ index: Int) -> Bool {
        Int(Double(index + 1) * noShow) > Int(Double(index) * noShow)
    }

    /// The present students click at their time, open their lab once it is ready, and keep their desktop open.
    private func arrivals(
        _ present: [User], at start: Date, operations: LabOperations, repositories: Repositories, course: Course, environment: Environment,
        desktops: (bridge: GuacBridge, records: SQLGuacamoleRecords), clock: ScaledClock
    ) async throws -> [(click: Date, wait: Double)] {
        try await withThrowingTaskGroup(of: (click: Date, wait: Double)?.self) { group in
            for (index, student) in present.enumerated() {
                let arrival = present.count > 1 ? within * Double(index) / Double(present.count - 1) : 0
                group.addTask {
                    try await Task.sleep(for: real(max(0, start.addingTimeInterval(arrival).timeIntervalSince(clock.now()))))
                    // LabGate's own work counts in real seconds, the cluster's in simulated ones: the
                    // time scale speeds Proxmox up, not the gateway.
                    let click = clock.now()
                    var working = ContinuousClock.now
                    var (lab, _) = try await operations.request(
                        LabRequest(userID: student.id, environment: environment, courseID: course.id, resume: true))
                    var waited = (ContinuousClock.now - working).timeInterval
                    if lab.state != .ready {
                        // Bounded: an hour of simulated time.
                        for _ in 0..<72_000 where lab.state != .ready && lab.state != .failed {
                            try await Task.sleep(for: real(0.05))
                            lab = try await repositories.instances.find(id: lab.id) ?? lab
                        }
                        waited = clock.now().timeIntervalSince(click)
                    }
                    guard lab.state == .ready else { return nil }
                    working = ContinuousClock.now
                    _ = try await desktops.bridge.link(for: lab)
                    let wait = waited + (ContinuousClock.now - working).timeInterval
                    // The student opens the link: Guacamole records the session, which keeps the lab from idling.
                    try await desktops.records.recordSession(
                        connection: lab.id.rawValue, in: GuacBridgeSettings().group, username: GuacBridge.username(of: lab.userID), start: clock.now())
                    return (click, wait)
                }
            }
            return try await group.reduce(into: []) { if let wait = $1 { $0.append(wait) } }
        }
    }

    /// A course of its own platform, its `linux` environment, and its roster of `students`.
    private func makeClass(_ repositories: Repositories) async throws -> (Course, Environment, [User]) {
        let platform = Platform(
            issuer: "https://class.labgate.invalid", clientID: "class", authURL: "https://class.labgate.invalid/auth",
            tokenURL: "https://class.labgate.invalid/token", jwksURL: "https://class.labgate.invalid/jwks", status: .pending, createdAt: Date())
        try await repositories.platforms.insert(platform)
        let course = try await repositories.courses.upsert(Course(platformID: platform.id, deploymentID: "1", contextID: "class", title: "The 9:00 class"))
        let spec = EnvironmentSpec(name: "class", vms: [VMSpec(template: 9000)])
        let environment = try await repositories.environments.save(try spec.environment())
        var roster: [User] = []
        for index in 0..<students {
            roster.append(try await repositories.users.upsert(User(platformID: platform.id, subject: "student-\(index)")))
        }
        return (course, environment, roster)
    }

    /// What LabGate measured on the cluster before this class: one lab per node made and
    /// removed (earlier classes), so the preparer plans with this cluster's durations.
    private func warmUp(_ stack: ProvisioningStack, _ repositories: Repositories, environment: Environment, course: Course) async throws {
        var labs: [LabInstanceID] = []
        for index in 0..<cluster.nodes {
            let user = try await repositories.users.upsert(User(platformID: course.platformID, subject: "earlier-\(index)"))
            labs.append(try await stack.operations.request(LabRequest(userID: user.id, environment: environment)).instance.id)
        }
        for wanted in [LabInstanceState.ready, .deleted] {
            for id in labs {
                // Bounded: an hour of simulated time.
                for _ in 0..<7200 where try await repositories.instances.find(id: id)?.state != wanted {
                    try await Task.sleep(for: real(0.5))
                }
                if wanted == .ready { _ = try await stack.operations.perform(.delete, on: id) }
            }
        }
    }
}
