/// Chooses where a clone goes: the nodes that can host the template, online, with memory
/// for the VM, least loaded first. Clone limits are applied after, by `CloneSlots`, so the
/// first candidate with a free slot wins.
public struct Placement: Sendable {
    public var memoryCeiling: Double

    public init(memoryCeiling: Double) {
        self.memoryCeiling = memoryCeiling
    }

    /// The candidate nodes, best first; throws `noCapacity` saying why when there is none.
    public func candidates(
        for template: TemplateSource, pinnedNode: String?, memoryMiB: Int, in cluster: ClusterView
    ) throws(ProvisioningError) -> [String] {
        var hosting = template.hostingNodes(in: cluster)
        if let pinnedNode {
            guard hosting.contains(pinnedNode) else {
                throw .noCapacity("node \(pinnedNode) cannot reach storage \(template.storage) of template \(template.vmid)")
            }
            hosting = [pinnedNode]
        }
        let online = hosting.compactMap(cluster.node).filter(\.online)
        guard !online.isEmpty else { throw .noCapacity("every node that can host template \(template.vmid) is offline (\(hosting.joined(separator: ", ")))") }
        let needed = memoryMiB << 20
        let roomy = online.filter { Double($0.memoryUsedBytes + needed) <= Double($0.memoryBytes) * memoryCeiling }
        guard !roomy.isEmpty else {
            throw .noCapacity("no online node has \(memoryMiB) MiB free below \(Int(memoryCeiling * 100)) % of its memory")
        }
        return roomy.sorted { load($0, adding: needed) < load($1, adding: needed) }.map(\.node)
    }

    /// Memory share after placement, with CPU as a smaller second term so equal memory
    /// goes to the less busy node.
    private func load(_ node: PVENode, adding bytes: Int) -> Double {
        Double(node.memoryUsedBytes + bytes) / Double(max(node.memoryBytes, 1)) + node.cpu * 0.25
    }
}
