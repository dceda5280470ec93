/// Chooses where a lab's clones go: the nodes that can host every template, online, with
/// memory for the VMs, least loaded first. Clone limits are applied after, by `CloneSlots`,
/// so the first candidate with a free slot wins.
public struct Placement: Sendable {
    public var memoryCeiling: Double

    public init(memoryCeiling: Double) {
        self.memoryCeiling = memoryCeiling
    }

    /// The candidate nodes, best first; throws `noCapacity` saying why when there is none.
    public func candidates(
        for templates: [TemplateSource], pinnedNode: String?, memoryMiB: Int, in cluster: ClusterView
    ) throws(ProvisioningError) -> [String] {
        var hosting = templates.dropFirst().reduce(Set(templates.first?.hostingNodes(in: cluster) ?? [])) {
            $0.intersection($1.hostingNodes(in: cluster))
        }
        let names = templates.map { String($0.vmid) }.joined(separator: ", ")
        if let pinnedNode {
            guard hosting.contains(pinnedNode) else { throw .noCapacity("node \(pinnedNode) cannot reach the storage of template \(names)") }
            hosting = [pinnedNode]
        }
        let online = hosting.sorted().compactMap(cluster.node).filter(\.online)
        guard !online.isEmpty else {
            throw .noCapacity("every node that can host template \(names) is offline (\(hosting.sorted().joined(separator: ", ")))")
        }
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
