import Foundation
import GuacBridge
import LabCore
import Logging
import PVESim
import Storage
import TestSupport

@testable import Provisioning

/// The whole provisioning stack on a fresh SQLite database, the in-process store and
/// queue, and PVESim: an environment `linux` and a student to provision for.
struct LifecycleTestbed: Sendable {
    let sim: SimTestbed
    let repositories: Repositories
    let ephemeral: MemoryEphemeralStore
    let queue: MemoryJobQueue
    let lifecycle: LabLifecycle
    let operations: LabOperations
    let checks: CheckRunner
    /// Guacamole's tables in the test database, as the lifecycle wrote them.
    let guacamole: SQLGuacamoleRecords
    /// Where `guacamole` keeps its tables, for a test that plays Guacamole.
    let guacamoleDatabase: any SQLDatabase
    let student: UserID

    /// Tests advance labs directly, without the queue that would retry a lab still waiting
    /// for a clone slot, so a slot is waited for long enough to outlast a slow clone while
    /// the whole suite shares two cores (at 5 s, the fifth of five labs on 2 × 2 slots gave up).
    /// So is the guest's address: at 5 s, one of five labs started at once failed in a clean-clone CI.
    static let settings = ProvisioningSettings(
        vmidRange: 100_000...100_999, maxClonesPerNode: 2, maxClonesPerStorage: 8, cloneTimeout: .seconds(10), taskTimeout: .seconds(10),
        addressTimeout: .seconds(20), pollInterval: .milliseconds(5), slotWait: .seconds(30), instanceLease: .seconds(30),
        orphanGrace: .seconds(3600), stuckAfter: .seconds(3600))

    static let environment = EnvironmentSpec(
        name: "linux", title: "Linux basics",
        vms: [
            VMSpec(
                template: 9000, cores: 2, memoryMiB: 2048, network: NetworkSpec(bridge: "vmbr1", vlan: .fixed(42)),
                cloudInit: CloudInitSpec(user: "student", sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx teacher@lab"]))
        ],
        tags: ["course-101"], access: AccessSpec(protocol: .rdp), lifetimeMinutes: 240)

    static func run(
        _ configuration: SimConfiguration = SimTestbed.configuration(), settings: ProvisioningSettings = settings,
        environment: EnvironmentSpec = environment, groups: (any CourseGroups)? = nil, guacamole guacamoleDatabase: (any SQLDatabase)? = nil,
        _ body: @Sendable (LifecycleTestbed) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("test.sqlite").path)
        try await withCleanup {
            try await Migrator(database: database).migrate()
            let repositories = database.repositories()
            _ = try await repositories.environments.save(try environment.environment())
            let student = try await makeStudent(repositories)
            try await SimTestbed.run(configuration) { sim in
                let ephemeral = MemoryEphemeralStore()
                let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 5))
                let guacamole = SQLGuacamoleRecords(database: guacamoleDatabase ?? database)
                let desktops = GuacBridge(
                    settings: GuacBridgeSettings(), records: guacamole, authJSON: AuthJSON(derivedFrom: Array("test secret".utf8)), ephemeral: ephemeral)
                let stack = ProvisioningStack(
                    proxmox: sim.client, repositories: repositories, ephemeral: ephemeral, queue: queue, desktops: desktops, settings: settings,
                    groups: groups, logger: Logger(label: "test.lifecycle"))
                try await body(
                    LifecycleTestbed(
                        sim: sim, repositories: repositories, ephemeral: ephemeral, queue: queue, lifecycle: stack.lifecycle,
                        operations: stack.operations, checks: stack.checks, guacamole: guacamole, guacamoleDatabase: guacamoleDatabase ?? database,
                        student: student))
            }
        } cleanup: {
            await database.shutdown()
        }
    }

    static func makeStudent(_ repositories: Repositories, subject: String = "student-1") async throws -> UserID {
        let platform = Platform(
            issuer: "https://moodle.example.edu", clientID: "client-\(UUID().uuidString.prefix(6))",
            authURL: "https://moodle.example.edu/auth", tokenURL: "https://moodle.example.edu/token",
            jwksURL: "https://moodle.example.edu/certs", createdAt: Date())
        try await repositories.platforms.insert(platform)
        return try await repositories.users.upsert(User(platformID: platform.id, subject: subject, name: "Ada")).id
    }

    /// Requests the student's instance and advances it until it rests.
    func provision(_ user: UserID? = nil) async throws -> LabInstance {
        let (instance, _) = try await operations.request(userID: user ?? student, environmentName: "linux")
        try await lifecycle.advance(instance.id)
        return try await reload(instance)
    }

    /// Asks for `operation` and advances the instance until it rests.
    func perform(_ operation: LabOperations.Operation, on instance: LabInstance) async throws -> LabInstance {
        _ = try await operations.perform(operation, on: instance.id)
        try await lifecycle.advance(instance.id)
        return try await reload(instance)
    }

    func reload(_ instance: LabInstance) async throws -> LabInstance {
        guard let current = try await repositories.instances.find(id: instance.id) else { throw ProvisioningError.unknownInstance(instance.id.rawValue) }
        return current
    }

    /// The clones in the cluster (every VM but the templates).
    var clones: [SimVMSummary] { sim.cluster.virtualMachines().filter { !$0.isTemplate } }
}
