import ArgumentParser
import LabGate
import Provisioning

/// `labgate node`: the Proxmox nodes labs are placed on.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "List the cluster's nodes with their load and whether new labs may be placed there.",
        subcommands: [List.self]
    )

    /// `labgate node list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the nodes as Proxmox reports them now.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let nodes = try await ProvisioningSession.run(options) { config, _, runtime in
                NodeResource.all(in: try await ClusterView.load(from: runtime.lifecycle.proxmox), memoryCeiling: config.provisioning.memoryCeiling)
            }
            for node in nodes {
                let memory = "memory \(node.memoryUsedBytes >> 20) of \(node.memoryBytes >> 20) MiB"
                print(
                    [
                        node.name, node.online ? "online" : "offline", "\(node.cores) cores, cpu \(Int(node.cpu * 100)) %", memory,
                        node.schedulable ? "schedulable" : "full or offline",
                    ].joined(separator: "\t"))
            }
        }
    }
}
