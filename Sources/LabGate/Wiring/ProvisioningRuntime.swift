import Foundation
import GuacBridge
import LTIGateway
import LabCore
import Logging
import PVESim
import Provisioning

/// Provisioning as one process runs it: a Proxmox client for the configured cluster (or a
/// simulated one started here), the lifecycle, the operations and the reconciler.
package struct ProvisioningRuntime: Sendable {
    let proxmox: ProxmoxClient
    /// The lifecycle, the operations and the reconciler.
    let stack: ProvisioningStack
    package let catalog: EnvironmentCatalog
    /// Where ready instances are published for their students.
    let desktops: GuacBridge
    /// The built-in simulator, when `proxmox.url` is empty.
    let simulator: RunningPVESim?
    /// The connections to the platforms' web services that team labs ask for groups.
    let http: OutboundHTTP

    package static func open(_ config: LabGateConfig, backends: Backends, logger: Logger) async throws -> ProvisioningRuntime {
        var simulator: RunningPVESim?
        let proxmoxSettings: ProxmoxSettings
        switch config.proxmox {
        case .simulator(let file):
            let cluster =
                try file.map(SimCluster.load(from:))
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
        let http = OutboundHTTP(
            policy: OutboundURLPolicy(allowInsecureLoopback: config.lti.allowInsecureLoopback, allowPrivateAddresses: config.lti.allowPrivateAddresses))
        let groups = MoodleCourseGroups(
            webServices: MoodleWebServices(repository: backends.repositories.webServices, box: backends.box, http: http), repositories: backends.repositories)
        let stack = ProvisioningStack(
            proxmox: proxmox, repositories: backends.repositories, ephemeral: backends.ephemeral, queue: backends.queue, desktops: desktops,
            settings: config.provisioning, lock: backends.ephemeral, audit: .counted(backends.repositories.audit, logger: logger),
            reconcileLockTTL: config.reconcileInterval * 3,
            notices: QueuedLabNotices(queue: backends.queue, after: config.readyMessageAfter, logger: logger), groups: groups, logger: logger)
        return ProvisioningRuntime(
            proxmox: proxmox, stack: stack,
            catalog: EnvironmentCatalog(repository: backends.repositories.environments, proxmox: proxmox), desktops: desktops,
            simulator: simulator, http: http)
    }

    package var lifecycle: LabLifecycle { stack.lifecycle }
    package var operations: LabOperations { stack.operations }
    package var reconciler: Reconciler { stack.reconciler }

    /// Closes the client and stops the built-in simulator.
    package func shutdown() async {
        try? await proxmox.shutdown()
        await http.shutdown()
        await simulator?.stop()
    }

    /// The built-in simulator's token: it never leaves this process.
    private static let builtInToken = SimTokenSpec(id: "labgate@pve!builtin", secret: UUID().uuidString)
}
