import Foundation
import PVESim
import Testing

@testable import Provisioning

/// The client against PVESim through a whole VM life: clone, configure, start, address,
/// snapshot, rollback, stop, destroy.
@Suite struct ProxmoxClientTests {
    @Test func aVMLivesAndDiesThroughTheAPI() async throws {
        try await SimTestbed.run { bed in
            let client = bed.client
            #expect(try await client.version() == "9.1.3")
            let nodes = try await client.nodes()
            #expect(nodes.map(\.node) == ["pve1", "pve2"])
            #expect(nodes.allSatisfy { $0.online && $0.cores == 32 && $0.memoryBytes == 131_072 << 20 })

            try await client.ensurePool("labgate", comment: "LabGate lab instances")
            try await client.ensurePool("labgate-extra", comment: "second")
            #expect(try await client.pools().map(\.poolid) == ["labgate", "labgate-extra"])

            let start = try await client.clone(
                node: "pve1", vmid: 9000, CloneRequest(newID: 101, name: "lab-alice", targetNode: "pve2", pool: "labgate"))
            guard case .started(let upid) = start else {
                Issue.record("expected a clone task")
                return
            }
            #expect(upid.node == "pve2" && upid.type == "qmclone")
            #expect(try await client.wait(for: upid, timeout: .seconds(5)) == .ok)
            let log = try await client.taskLog(upid)
            #expect(log.last?.t == "TASK OK")

            let keys = "ssh-ed25519 AAAAC3Nza+C1/lZDI1NTE5= alice@lab\nssh-rsa AAAAB3= bob"
            var params = ProxmoxParameters()
            params.set("cores", 4)
            params.set("memory", 4096)
            params.set("net0", "virtio,bridge=vmbr1,tag=120")
            params.set("ciuser", "student")
            params.set("cipassword", "not-in-any-log")
            params.setURLEncoded("sshkeys", keys)
            params.set("tags", "labgate;course-7")
            params.set("onboot", false)
            try await client.updateConfig(node: "pve2", vmid: 101, params)
            let config = try await client.config(node: "pve2", vmid: 101)
            #expect(config["cores"] == "4" && config["memory"] == "4096" && config["ciuser"] == "student")
            #expect(config["cipassword"] == "**********")
            #expect(config["sshkeys"]?.removingPercentEncoding == keys)
            #expect(config["onboot"] == "0")
            var description = ProxmoxParameters()
            description.set("description", "changed through POST")
            if let upid = try await client.updateConfigAsync(node: "pve2", vmid: 101, description) {
                #expect(try await client.wait(for: upid, timeout: .seconds(5)) == .ok)
            }
            #expect(try await client.config(node: "pve2", vmid: 101)["description"] == "changed through POST")
            let net0 = try #require(config["net0"])
            #expect(net0.hasPrefix("virtio=BC:24:11:") && net0.hasSuffix(",bridge=vmbr1,tag=120"))

            bed.cluster.faults.agentNeverReady = true  // holds the agent silent however slow this machine is
            try await client.wait(for: try await client.start(node: "pve2", vmid: 101), timeout: .seconds(5))
            #expect(try await client.status(node: "pve2", vmid: 101).running)
            await #expect(throws: ProxmoxError.api(status: 500, message: "QEMU guest agent is not running")) {
                try await client.interfaces(node: "pve2", vmid: 101)
            }
            bed.cluster.faults.agentNeverReady = false
            let mac = String(net0.dropFirst("virtio=".count).prefix(17))
            var interfaces: [PVEGuestInterface] = []
            for _ in 0..<500 where interfaces.isEmpty {
                do { interfaces = try await client.interfaces(node: "pve2", vmid: 101) } catch { try await Task.sleep(for: .milliseconds(10)) }
            }
            let address = try #require(interfaces.ipv4Address(mac: mac))
            #expect(address.hasPrefix("198.18.2."))

            try await client.wait(for: try await client.snapshot(node: "pve2", vmid: 101, name: "clean"), timeout: .seconds(5))
            #expect(try await client.snapshots(node: "pve2", vmid: 101).map(\.name) == ["clean"])
            try await client.wait(for: try await client.rollback(node: "pve2", vmid: 101, to: "clean", start: true), timeout: .seconds(5))
            #expect(try await client.status(node: "pve2", vmid: 101).running)
            try await client.wait(for: try await client.shutdown(node: "pve2", vmid: 101), timeout: .seconds(5))
            #expect(try await !client.status(node: "pve2", vmid: 101).running)
            try await client.wait(for: try await client.deleteSnapshot(node: "pve2", vmid: 101, name: "clean"), timeout: .seconds(5))

            let guest = try #require(try await client.guest(vmid: 101))
            #expect(guest.node == "pve2" && guest.pool == "labgate" && guest.tags == ["labgate", "course-7"] && !guest.isTemplate)
            try await client.wait(for: try await client.destroy(node: "pve2", vmid: 101), timeout: .seconds(5))
            #expect(try await client.guest(vmid: 101) == nil)
            #expect(bed.cluster.virtualMachines().map(\.vmid) == [9000])
        }
    }

    @Test func aFullCloneCanGoToAnotherStorageAndALinkedOneCannotLeaveTheTemplatesNode() async throws {
        try await SimTestbed.run { bed in
            let full = try await bed.client.clone(
                node: "pve1", vmid: 9000, CloneRequest(newID: 200, full: true, storage: "local-pve1"))
            guard case .started(let upid) = full else {
                Issue.record("expected a task")
                return
            }
            try await bed.client.wait(for: upid, timeout: .seconds(5))
            let linkedElsewhere = CloneRequest(newID: 201, targetNode: "pve2")
            await #expect(throws: ProxmoxError.api(status: 500, message: "Linked clone feature for VM 200 is only available for templates")) {
                _ = try await bed.client.clone(node: "pve1", vmid: 200, linkedElsewhere)
            }
        }
    }
}
