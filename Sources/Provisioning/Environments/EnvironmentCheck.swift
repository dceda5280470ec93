extension EnvironmentSpec {
    /// What Proxmox says is wrong with the specification: a template, node or storage that
    /// does not exist or cannot work together. Empty when nothing.
    public func clusterProblems(in cluster: ClusterView, proxmox: ProxmoxClient) async throws(ProxmoxError) -> [String] {
        try await clusterCheck(in: cluster, proxmox: proxmox).problems
    }

    /// The problems, and the templates found on the way (in the order of `vms`, those that exist).
    func clusterCheck(in cluster: ClusterView, proxmox: ProxmoxClient) async throws(ProxmoxError) -> (problems: [String], templates: [TemplateSource]) {
        var problems: [String] = []
        var templates: [TemplateSource] = []
        var hosts: Set<String>?
        for (index, vm) in vms.enumerated() {
            let place = "vms[\(index)]"
            guard let template = try await TemplateSource.load(vm.template, in: cluster, from: proxmox) else {
                problems.append("\(place).template: there is no VM \(vm.template) in the cluster")
                continue
            }
            templates.append(template)
            hosts = hosts.map { $0.intersection(template.hostingNodes(in: cluster)) } ?? Set(template.hostingNodes(in: cluster))
            if vm.clone == .linked, !template.isTemplate {
                problems.append("\(place).template: VM \(vm.template) is not a template; a linked clone needs one (convert it, or set clone: full)")
            }
            if let node = vm.node {
                if cluster.node(node) == nil {
                    problems.append(
                        "\(place).node: there is no node \(node) in the cluster (nodes: \(cluster.nodes.map(\.node).sorted().joined(separator: ", ")))")
                } else if !template.hostingNodes(in: cluster).contains(node) {
                    problems.append("\(place).node: node \(node) cannot reach storage \(template.storage) that holds template \(vm.template)")
                }
            }
            if let storage = vm.storage, cluster.nodes(withStorage: storage).isEmpty {
                problems.append("\(place).storage: there is no storage \(storage) in the cluster")
            }
        }
        if hosts?.isEmpty == true, problems.isEmpty {
            problems.append("vms: no node can reach the storages of every template, and a lab's VMs run on one node")
        }
        return (problems, templates)
    }
}
