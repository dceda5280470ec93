import Foundation
import PVESim
import Testing

@testable import Provisioning

/// Environment specifications: what is refused on its own, and what Proxmox refuses.
@Suite struct EnvironmentSpecTests {
    @Test func aGoodSpecificationHasNoProblemsAndSurvivesStorage() throws {
        let spec = LifecycleTestbed.environment
        #expect(spec.problems.isEmpty)
        #expect(try EnvironmentSpec.decode(try spec.environment()) == spec)
    }

    @Test func everyLocalProblemIsNamed() {
        let spec = EnvironmentSpec(
            name: "Bad Name", vms: [VMSpec(template: 5, storage: "x", cores: 0, network: NetworkSpec(bridge: "vmbr0", vlan: .fixed(5000)))],
            tags: ["UPPER"], access: AccessSpec(protocol: .ssh, port: 70000), lifetimeMinutes: 0)
        let problems = spec.problems
        #expect(problems.count == 8, "\(problems)")
        #expect(problems.contains("vms[0].template must be a VMID of 100 or more"))
        #expect(problems.contains("vms[0].network.vlan must be 1 to 4094"))
        #expect(throws: ProvisioningError.self) { try spec.validate() }
    }

    @Test func aMissingTemplateOrNodeIsRefusedWithTheReason() async throws {
        try await SimTestbed.run { bed in
            let cluster = try await ClusterView.load(from: bed.client)
            let missingTemplate = EnvironmentSpec(name: "a", vms: [VMSpec(template: 9999)])
            #expect(try await missingTemplate.clusterProblems(in: cluster, proxmox: bed.client) == ["vms[0].template: there is no VM 9999 in the cluster"])
            let missingNode = EnvironmentSpec(name: "b", vms: [VMSpec(template: 9000, node: "pve7")])
            #expect(
                try await missingNode.clusterProblems(in: cluster, proxmox: bed.client) == [
                    "vms[0].node: there is no node pve7 in the cluster (nodes: pve1, pve2)"
                ])
            let fine = EnvironmentSpec(name: "c", vms: [VMSpec(template: 9000, node: "pve2")])
            #expect(try await fine.clusterProblems(in: cluster, proxmox: bed.client).isEmpty)
        }
    }

    @Test func yamlAndJSONShapesDecode() throws {
        let json =
            #"{"name":"net","vms":[{"template":9000,"clone":"full","storage":"local","network":{"bridge":"vmbr2","vlan":{"from":2000,"to":2099}}}],"access":{"protocol":"ssh"}}"#
        let spec = try JSONDecoder().decode(EnvironmentSpec.self, from: Data(json.utf8))
        #expect(spec.primary.network?.vlan == .perStudent(2000...2099))
        let perCourse = #"{"name":"c","vms":[{"template":9000,"network":{"bridge":"b","vlan":{"from":3000,"to":3009,"per":"course"}}}]}"#
        #expect(try JSONDecoder().decode(EnvironmentSpec.self, from: Data(perCourse.utf8)).primary.network?.vlan == .perCourse(3000...3009))
        #expect(spec.access.port == 22)
        #expect(spec.lifetimeMinutes == 240)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(EnvironmentSpec.self, from: Data(#"{"name":"n","vms":[{"template":9000,"network":{"bridge":"b","vlan":"course"}}]}"#.utf8))
        }
    }

    @Test func checksDecodeAsAShellLineOrAProgramAndTheirProblemsAreNamed() throws {
        let json =
            #"{"name":"c","vms":[{"template":9000}],"checks":[{"name":"file","command":"test -f ~/a"},{"name":"ps","command":["powershell","-Command","Get-Service"],"points":5,"outputMatches":"Running","timeoutSeconds":90}]}"#
        let spec = try JSONDecoder().decode(EnvironmentSpec.self, from: Data(json.utf8))
        #expect(spec.checks[0].command.argv == ["/bin/sh", "-c", "test -f ~/a"])
        #expect(spec.checks[0].points == 1 && spec.checks[0].timeoutSeconds == 30)
        #expect(spec.checks[1].command.argv == ["powershell", "-Command", "Get-Service"] && spec.checks[1].points == 5)
        #expect(spec.problems.isEmpty)
        #expect(try EnvironmentSpec.decode(try spec.environment()) == spec)

        var bad = spec
        bad.checks = [
            CheckSpec(name: "same", command: .program([]), timeoutSeconds: 0, points: -1, outputMatches: "(unclosed"),
            CheckSpec(name: "same", command: .shell("true")),
        ]
        #expect(
            bad.problems == [
                "checks must have different names",
                "checks[0].command must name a program (a shell line, or a list: program, then its arguments)",
                "checks[0].timeoutSeconds must be 1 to 600", "checks[0].points must be 0 to 1000", "checks[0].outputMatches is not a regular expression",
            ])
    }
}
