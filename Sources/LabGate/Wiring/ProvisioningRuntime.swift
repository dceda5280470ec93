import Foundation
import GuacBridge
import LabCore
import Logging
import PVESim
import Provisioning

/// Provisioning as one process runs it: a Proxmox client for the configured cluster (or a
/// simulated one started here), the lifecycle, the operations and the reconciler.
struct ProvisioningRuntime: Sendable {
    let proxmox: ProxmoxClient
    let lifecycle: LabLifecycle
    let operations: LabOperations
    let reconciler: Reconciler
    let catalog: EnvironmentCatalog
    /// Where ready instances are published for their students.
    let desktops: GuacBridge
    /// The built-in simulator, when `proxmox.url` is empty.
    let simulator: RunningPVESim?

    static func open(_ config: LabGateConfig, backends: Backends, logger: Logger) async throws -> ProvisioningRuntime {
        var simulator: RunningPVESim?
        let proxmoxSettings: ProxmoxSettings
        switch config.proxmox {
        case .simulator(let file):
            let cluster = try file.map(PVESimCommand.loadCluster(from:))
                ?? SimCluster(configuration: .small(nodeCount: 2, token: builtInToken, timeScale: 10))
            guard let token = cluster.tokens.first else {
                throw DescribedFailure("proxmox.simulatorConfig \(file ?? ""): the simulated cluster needs a token under tokens:")
            }
            let running = try await PVESimServer(cluster: cluster).start()
            simulator = running
            proxmoxSettings = ProxmoxSettings(baseURL: running.baseURL, tokenID: token.id, tokenSecret: token.secret, taskPollInterval: .milliseconds(200))
            logger.notice("no proxmox.url: provisioning runs against a built-in simulated cluster", metadata: ["url": .string(running.baseURL)])
        case .cluster(let configured):
            // The configuration made sure of the token.
            proxmoxSettings = configured
        }
        let proxmox: ProxmoxClient
        let desktops: GuacBridge
        do {
            proxmox = try ProxmoxClient(settings: proxmoxSettings)
            desktops = try GuacBridge.open(config, backends: backends, logger: logger)
        } catch {
            await simulator?.stop()
            throw error
        }
        let lifecycle = LabLifecycle(
            proxmox: proxmox, repositories: backends.repositories, ephemeral: backends.ephemeral, desktops: desktops,
            settings: config.provisioning, logger: logger)
        let operations = LabOperations(
            repositories: backends.repositories, queue: backends.queue, lock: backends.ephemeral,
            audit: .counted(backends.repositories.audit, logger: logger))
        return ProvisioningRuntime(
            proxmox: proxmox, lifecycle: lifecycle, operations: operations,
            reconciler: Reconciler(lifecycle: lifecycle, operations: operations, lockTTL: config.reconcileInterval * 3),
            catalog: EnvironmentCatalog(repository: backends.repositories.environments, proxmox: proxmox), desktops: desktops,
            simulator: simulator)
    }

    /// Closes the client and stops the built-in simulator.
    func shutdown() async {
        try? await proxmox.shutdown()
        await simulator?.stop()
    }

    /// The built-in simulator's token: it never leaves this process.
    private static let builtInToken = SimTokenSpec(id: "labgate@pve!builtin", secret: UUID().uuidString)
}
