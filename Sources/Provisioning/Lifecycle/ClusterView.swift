/// One look at the cluster: its nodes, guests and storages, read together so that
/// placement and checks work on the same picture.
public struct ClusterView: Sendable {
    public var nodes: [PVENode]
    /// VMs and templates (`cluster/resources` of type `qemu`).
    public var guests: [PVEResource]
    /// One entry per storage and node that has it.
    public var storages: [PVEResource]

    public init(nodes: [PVENode], guests: [PVEResource], storages: [PVEResource]) {
        self.nodes = nodes
        self.guests = guests
        self.storages = storages
    }

    /// One `cluster/resources` call: it lists nodes, guests and storages together.
    public static func load(from proxmox: ProxmoxClient) async throws(ProxmoxError) -> ClusterView {
        let resources = try await proxmox.resources()
        return ClusterView(
            nodes: resources.filter { $0.type == "node" }.map(PVENode.init), guests: resources.filter { $0.type == "qemu" },
            storages: resources.filter { $0.type == "storage" })
    }

    public func guest(_ vmid: Int) -> PVEResource? {
        guests.first { $0.vmid == vmid }
    }

    public func node(_ name: String) -> PVENode? {
        nodes.first { $0.node == name }
    }

    /// The nodes where `storage` is available.
    public func nodes(withStorage storage: String) -> [String] {
        storages.filter { $0.storage == storage }.compactMap(\.node)
    }

    /// Whether `storage` is shared between nodes (then a clone may go to any of them).
    public func isShared(_ storage: String) -> Bool {
        storages.contains { $0.storage == storage && $0.shared }
    }
}
