/// Where a template lives and what it is sized to: read from its configuration, because
/// `cluster/resources` does not say which storage holds its disks.
public struct TemplateSource: Sendable, Hashable {
    public var vmid: Int
    public var node: String
    public var storage: String
    public var isTemplate: Bool
    public var cores: Int
    public var memoryMiB: Int

    /// The disk keys Proxmox boots from, in the order it prefers them.
    static let diskKeys = ["scsi0", "virtio0", "sata0", "ide0"]

    /// Reads the template `vmid` as `cluster` shows it; nil if there is no such guest.
    public static func load(_ vmid: Int, in cluster: ClusterView, from proxmox: ProxmoxClient) async throws(ProxmoxError) -> TemplateSource? {
        guard let guest = cluster.guest(vmid), let node = guest.node else { return nil }
        let config = try await proxmox.config(node: node, vmid: vmid)
        let disk = diskKeys.lazy.compactMap { config[$0] }.first { !$0.contains("media=cdrom") }
        guard let storage = disk?.split(separator: ":").first.map(String.init) else {
            throw .unexpectedAnswer("template \(vmid) has no disk in \(diskKeys.joined(separator: ", "))")
        }
        return TemplateSource(
            vmid: vmid, node: node, storage: storage, isTemplate: guest.isTemplate,
            cores: Int(config["cores"] ?? "") ?? 1, memoryMiB: Int(config["memory"] ?? "") ?? 512)
    }

    /// The nodes a clone of this template may be created on: any node with the template's
    /// storage when it is shared, otherwise only the template's own node.
    public func hostingNodes(in cluster: ClusterView) -> [String] {
        cluster.isShared(storage) ? cluster.nodes(withStorage: storage) : [node]
    }
}
