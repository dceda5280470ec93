import Foundation
import LabCore
import PVESim
import Testing

@testable import Provisioning

/// Checkpoints against PVESim: saved as snapshots of every VM, gone back to, deleted, bounded.
@Suite struct CheckpointTests {
    static let environment: EnvironmentSpec = {
        var spec = LifecycleTestbed.environment
        spec.checkpoints = 2
        return spec
    }()

    @Test func aCheckpointIsSavedGoneBackToAndDeleted() async throws {
        try await LifecycleTestbed.run(environment: Self.environment) { bed in
            var instance = try await bed.provision()
            let vmid = try #require(instance.vmid)
            let node = try #require(instance.node)
            // The VM's settings tell the states apart: 2 cores when clean, 3 at the checkpoint, 4 after.
            func cores(_ count: Int) async throws {
                var params = ProxmoxParameters()
                params.set("cores", count)
                try await bed.sim.client.updateConfig(node: node, vmid: vmid, params)
            }
            func coresNow() async throws -> String? { try await bed.sim.client.config(node: node, vmid: vmid)["cores"] }
            try await cores(3)

            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "  before step 3 ", on: instance.id) }
            #expect(instance.state == .ready && instance.address != nil, "a checkpoint of a running lab leaves it running")
            let saved = try #require(try await bed.repositories.checkpoints.list(instanceID: instance.id).first)
            #expect(saved.label == "before step 3" && saved.status == .saved)
            let snapshot = try await bed.sim.client.snapshots(node: node, vmid: vmid).first { $0.name == saved.name }
            #expect(snapshot?.description == "before step 3", "the student's label is the snapshot's description")
            #expect(bed.clones.first?.running == true)

            try await cores(4)
            instance = try await bed.checkpoint { try await bed.operations.goBack(to: saved.name, on: instance.id) }
            #expect(instance.state == .ready, "Proxmox leaves a VM stopped after a rollback without memory; LabGate starts it again")
            #expect(bed.clones.first?.running == true)
            #expect(try await coresNow() == "3")
            #expect(try await bed.repositories.checkpoints.list(instanceID: instance.id).map(\.status) == [.saved])

            instance = try await bed.perform(.reset, on: instance)
            #expect(try await coresNow() == "2", "reset still goes back to the clean state")
            #expect(bed.clones.first?.snapshots.contains(saved.name) == true, "checkpoints outlive a reset")

            instance = try await bed.checkpoint { try await bed.operations.deleteCheckpoint(saved.name, on: instance.id) }
            #expect(instance.state == .ready)
            #expect(bed.clones.first?.snapshots == ["clean"])
            #expect(try await bed.repositories.checkpoints.list(instanceID: instance.id).isEmpty)
        }
    }

    @Test func aStoppedLabStaysStoppedAndTheLimitHolds() async throws {
        try await LifecycleTestbed.run(environment: Self.environment) { bed in
            var instance = try await bed.perform(.stop, on: try await bed.provision())
            for label in ["one", "two"] {
                instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: label, on: instance.id) }
                #expect(instance.state == .stopped)
            }
            await #expect(throws: ProvisioningError.checkpointLimit(2)) {
                _ = try await bed.operations.saveCheckpoint(labelled: "three", on: instance.id)
            }
            #expect(try await bed.repositories.checkpoints.list(instanceID: instance.id).map(\.label) == ["one", "two"])
            #expect(bed.clones.first?.snapshots.count == 3)

            for label in ["", "   ", String(repeating: "x", count: 61), "tab\there"] {
                await #expect(throws: ProvisioningError.self) { _ = try await bed.operations.saveCheckpoint(labelled: label, on: instance.id) }
            }
            await #expect(throws: ProvisioningError.unknownCheckpoint("cp-nope")) {
                _ = try await bed.operations.goBack(to: "cp-nope", on: instance.id)
            }

            // Work in progress refuses a second request, and leaves no trace of it.
            _ = try await bed.operations.perform(.start, on: instance.id)
            await #expect(throws: ProvisioningError.notAllowed(operation: "go back to a checkpoint of", state: "starting")) {
                _ = try await bed.operations.goBack(to: try await bed.repositories.checkpoints.list(instanceID: instance.id)[0].name, on: instance.id)
            }
            #expect(try await bed.repositories.checkpoints.list(instanceID: instance.id).allSatisfy { $0.status == .saved })
        }
    }

    @Test func checkpointsCountInTheStudentsAndTheGlobalQuota() async throws {
        try await LifecycleTestbed.run(environment: Self.environment) { bed in
            var instance = try await bed.provision()
            try await bed.repositories.quotas.save(Quota(scope: .eachStudent, checkpoints: 1))
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "one", on: instance.id) }
            await #expect(throws: ProvisioningError.checkpointQuota(holder: "each student", limit: 1)) {
                _ = try await bed.operations.saveCheckpoint(labelled: "two", on: instance.id)
            }
            #expect(try await bed.reload(instance).state == .ready, "a refusal leaves the lab as it was")
            try await bed.repositories.quotas.save(Quota(scope: .eachStudent, checkpoints: 5))
            try await bed.repositories.quotas.save(Quota(scope: .global, cores: 1000, checkpoints: 1))
            await #expect(throws: ProvisioningError.checkpointQuota(holder: "the lab service", limit: 1)) {
                _ = try await bed.operations.saveCheckpoint(labelled: "two", on: instance.id)
            }
            // A failed checkpoint takes no place in a quota either.
            try await bed.repositories.checkpoints.mark(
                instance.id, name: try await bed.repositories.checkpoints.list(instanceID: instance.id)[0].name, .failed, problem: "no space")
            #expect(try await bed.repositories.checkpoints.count(in: .all) == 0)
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "two", on: instance.id) }
            #expect(try await bed.repositories.checkpoints.count(in: .user(instance.userID)) == 1)
        }
    }

    @Test func aCheckpointProxmoxRefusesIsMarkedFailedAndTheLabCarriesOn() async throws {
        try await LifecycleTestbed.run(environment: Self.environment) { bed in
            var instance = try await bed.provision()
            bed.sim.cluster.faults = SimFaults(calls: [SimCallFault(method: "POST", path: "/snapshot", trouble: .taskFailure, times: 1)])
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "doomed", on: instance.id) }
            #expect(instance.state == .ready, "\(instance.failureReason ?? "")")
            let failed = try #require(try await bed.repositories.checkpoints.list(instanceID: instance.id).first)
            #expect(failed.status == .failed)
            #expect(failed.problem?.contains("could not be saved") == true && failed.problem?.contains("simulated fault") == true)

            // A failed checkpoint takes no place, and deleting it clears what Proxmox may have left.
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "fine", on: instance.id) }
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "also fine", on: instance.id) }
            instance = try await bed.checkpoint { try await bed.operations.deleteCheckpoint(failed.name, on: instance.id) }
            #expect(try await bed.repositories.checkpoints.list(instanceID: instance.id).map(\.label) == ["fine", "also fine"])
        }
    }

    @Test func snapshotsThatNeverGoThroughCostTheCheckpointNotTheLab() async throws {
        try await LifecycleTestbed.run(environment: Self.environment) { bed in
            let lab = try await bed.provision()
            bed.sim.cluster.faults = SimFaults(calls: [SimCallFault(method: "POST", path: "/snapshot", trouble: .lockTimeout)])
            _ = try await bed.operations.saveCheckpoint(labelled: "stuck", on: lab.id)
            // As the job queue does: each failed run comes back, until the state's step gives up.
            for _ in 0..<10 where try await bed.reload(lab).state == .checkpointing {
                do { try await bed.lifecycle.advance(lab.id) } catch { #expect((error as? ProxmoxError)?.isTransient == true, "\(error)") }
            }
            let rested = try await bed.reload(lab)
            #expect(rested.state == .ready && bed.clones.count == 1, "the lab and its VM stay: \(rested.failureReason ?? "")")
            let failed = try #require(try await bed.repositories.checkpoints.list(instanceID: lab.id).first)
            #expect(failed.status == .failed)
            #expect(failed.problem?.contains("gave up checkpointing after \(LifecycleTestbed.settings.maxStepAttempts) failed attempts") == true, "\(failed)")
        }
    }

    @Test func deletingTheLabForgetsItsCheckpoints() async throws {
        try await LifecycleTestbed.run(environment: Self.environment) { bed in
            var instance = try await bed.provision()
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "keep", on: instance.id) }
            instance = try await bed.perform(.delete, on: instance)
            #expect(instance.state == .deleted && bed.clones.isEmpty)
            #expect(try await bed.repositories.checkpoints.list(instanceID: instance.id).isEmpty)
        }
    }

    @Test func aMultiVMLabSnapshotsEveryVMUnderOneName() async throws {
        var spec = Self.environment
        spec.vms.append(VMSpec(template: 9000, cores: 1, memoryMiB: 1024))
        try await LifecycleTestbed.run(environment: spec) { bed in
            var instance = try await bed.provision()
            #expect(bed.clones.count == 2)
            instance = try await bed.checkpoint { try await bed.operations.saveCheckpoint(labelled: "both", on: instance.id) }
            let name = try #require(try await bed.repositories.checkpoints.list(instanceID: instance.id).first?.name)
            #expect(bed.clones.allSatisfy { $0.snapshots == ["clean", name] })
        }
    }
}

extension LifecycleTestbed {
    /// Runs a checkpoint request and advances the lab until it rests.
    func checkpoint(_ request: () async throws -> LabInstance) async throws -> LabInstance {
        let asked = try await request()
        try await lifecycle.advance(asked.id)
        return try await reload(asked)
    }
}
