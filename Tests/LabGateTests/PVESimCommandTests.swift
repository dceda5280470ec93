import Foundation
import PVESim
import Testing

@testable import LabGate

/// `labgate pve-sim` reads its cluster from YAML and names the mistake in a broken file.
@Suite struct PVESimCommandTests {
    @Test func theExampleClusterLoads() throws {
        let path = DocumentationTests.root.appendingPathComponent("lti-config/pve-sim.yaml.example").path
        let cluster = try SimCluster.load(from: path)
        let templates = cluster.virtualMachines().filter(\.isTemplate)
        #expect(templates.map(\.vmid) == [9000] && templates.first?.node == "pve1")
        #expect(cluster.timeScale == 10)
    }

    @Test(arguments: [
        ("nodes: [{name: a}]\nstorages: []\ntokens: []\n", "the key nodes[0].subnet is missing"),
        (
            "nodes: [{name: a, subnet: 10.0.0.0/33}]\nstorages: []\ntokens: [{id: \"x@pve!t\", secret: s}]\n",
            "node a: subnet '10.0.0.0/33' is not an IPv4 CIDR such as 198.18.1.0/24"
        ),
        (
            "nodes: [{name: a, subnet: 198.18.0.0/24}]\nstorages: [{id: s, nodes: [b]}]\ntokens: [{id: \"x@pve!t\", secret: s}]\n",
            "storage s: no node named 'b'"
        ),
    ])
    func aBrokenFileIsNamedWithItsMistake(text: String, message: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pve-sim-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: DescribedFailure("\(file.path): \(message)")) { _ = try SimCluster.load(from: file.path) }
    }
}
