import Foundation
import GuacBridge
import LabCore
import Logging
import PVESim
import Provisioning
import TestSupport
import Testing

@testable import LabGate

/// Provisioning as production runs it: two workers (each with its own lifecycle, as two
/// processes would have) on MariaDB and Redis, sharing the clone limits through Redis.
@Suite("provisioning on MariaDB and Redis", .enabled(if: TestConfig.serversUnderTest))
struct ProvisioningOnServersTests {
    static let token = SimTokenSpec(id: "labgate@pve!servers", secret: "5e0c2ab4-0000-4000-8000-00000000beef")

    @Test("a class of twelve double-clicking students gets twelve VMs, within the shared clone limits")
    func twoWorkersShareTheLimits() async throws {
        var simulated = SimConfiguration.small(nodeCount: 2, token: Self.token, timeScale: 1000)
        // PVE takes four clones at once on the shared storage; a fifth would time out on the lock.
        simulated.storages[0].maxConcurrentClones = 4
        simulated.storages[0].linkedCloneSeconds = 150
        simulated.durations.lockTimeout = 1
        let cluster = try SimCluster(configuration: simulated)
        try await TestConfig.withServers { config in
            let backends = try await Backends.open(config)
            try await withCleanup {
                let repositories = backends.repositories
                let name = "class-\(UUID().uuidString.prefix(8).lowercased())"
                _ = try await repositories.environments.save(try EnvironmentSpec(name: name, vms: [VMSpec(template: 9000)]).environment())
                let platform = Platform(
                    issuer: "https://\(name).example.edu", clientID: "c", authURL: "https://m.example.edu/a", tokenURL: "https://m.example.edu/t",
                    jwksURL: "https://m.example.edu/j", createdAt: Date())
                try await repositories.platforms.insert(platform)
                var enrolled: [UserID] = []
                for index in 0..<12 { enrolled.append(try await repositories.users.upsert(User(platformID: platform.id, subject: "s\(index)")).id) }
                let students = enrolled

                try await PVESimServer(cluster: cluster, requestLog: try? SimRequestLog(path: ProvisioningCommandTests.requestLogPath)).serving { url in
                    let proxmox = try ProxmoxClient(
                        settings: ProxmoxSettings(
                            baseURL: url, tokenID: Self.token.id, tokenSecret: Self.token.secret, taskPollInterval: .milliseconds(5)))
                    let settings = ProvisioningSettings(
                        maxClonesPerNode: 2, maxClonesPerStorage: 4, cloneTimeout: .seconds(20), taskTimeout: .seconds(20), addressTimeout: .seconds(20),
                        pollInterval: .milliseconds(5), slotWait: .seconds(60), instanceLease: .seconds(30))
                    let desktops = GuacBridge(
                        settings: GuacBridgeSettings(), records: backends.guacamoleRecords,
                        authJSON: AuthJSON(derivedFrom: Array("test secret".utf8)), ephemeral: backends.ephemeral)
                    // Two workers, as two processes would run them, each with a stack of its own.
                    let stacks = (0..<2).map { index in
                        ProvisioningStack(
                            proxmox: proxmox, repositories: repositories, ephemeral: backends.ephemeral, queue: backends.queue, desktops: desktops,
                            settings: settings, logger: Logger(label: "worker-\(index)"))
                    }
                    let workers = stacks.enumerated().map { index, stack in
                        JobWorker(
                            queue: backends.queue, handlers: JobHandlers.provisioning(stack), concurrency: 8, visibilityTimeout: .seconds(30),
                            logger: Logger(label: "worker-\(index)"))
                    }
                    let operations = stacks[0].operations
                    let running = workers.map { worker in Task { try await worker.run() } }
                    defer { running.forEach { $0.cancel() } }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for student in students {
                            for _ in 0..<2 { group.addTask { _ = try await operations.request(userID: student, environmentName: name) } }
                        }
                        try await group.waitForAll()
                    }
                    var instances: [LabInstance] = []
                    for _ in 0..<1000 {
                        instances = []
                        for student in students { instances += try await repositories.instances.list(userID: student) }
                        if instances.allSatisfy(\.state.isResting) { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(instances.count == 12, "one instance per student, double clicks included")
                    #expect(instances.allSatisfy { $0.state == .ready }, "\(instances.compactMap(\.failureReason))")
                    #expect(cluster.virtualMachines().filter { !$0.isTemplate }.count == 12)
                    for instance in instances {
                        let clone = try await repositories.instances.steps(of: instance.id).first { $0.name == "clone" }
                        #expect(clone?.attempt == 1, "a clone beyond the storage's limit would have timed out on PVE's lock: \(clone?.error ?? "")")
                    }
                    try await proxmox.shutdown()
                }
            } cleanup: {
                await backends.close()
            }
        }
    }
}
