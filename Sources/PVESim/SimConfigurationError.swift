/// Why a simulator configuration cannot be used.
public struct SimConfigurationError: Error, CustomStringConvertible {
    public var description: String
}

extension SimConfiguration {
    /// Checks that every name refers to something that exists, so a mistake shows at start.
    func validate() throws(SimConfigurationError) {
        func fail(_ text: String) -> SimConfigurationError { SimConfigurationError(description: text) }
        guard timeScale > 0 else { throw fail("timeScale must be above 0") }
        guard !nodes.isEmpty else { throw fail("at least one node is needed") }
        guard !tokens.isEmpty else { throw fail("at least one API token is needed") }
        let nodeNames = Set(nodes.map(\.name))
        for node in nodes where SimSubnet(node.subnet) == nil {
            throw fail("node \(node.name): subnet '\(node.subnet)' is not an IPv4 CIDR such as 198.18.1.0/24")
        }
        for storage in storages {
            if let unknown = storage.nodes.first(where: { !nodeNames.contains($0) }) {
                throw fail("storage \(storage.id): no node named '\(unknown)'")
            }
            if !storage.shared, storage.nodes.count != 1 { throw fail("storage \(storage.id): a local storage belongs to one node") }
        }
        for template in templates {
            guard nodeNames.contains(template.node) else { throw fail("template \(template.vmid): no node named '\(template.node)'") }
            guard let storage = storages.first(where: { $0.id == template.storage }) else {
                throw fail("template \(template.vmid): no storage named '\(template.storage)'")
            }
            guard storage.nodes.contains(template.node) else {
                throw fail("template \(template.vmid): storage '\(storage.id)' is not on node '\(template.node)'")
            }
        }
        for token in tokens where token.id.split(separator: "!").count != 2 || !token.id.contains("@") {
            throw fail("token '\(token.id)' is not of the form USER@REALM!NAME")
        }
    }
}
