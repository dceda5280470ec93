import Foundation
import LabCore

extension LabLifecycle {
    /// checkpointing → ready or stopped, as the lab was: each checkpoint waiting to be saved
    /// becomes a snapshot of every VM under its name, each waiting to be deleted loses its
    /// snapshots. A checkpoint Proxmox refuses is marked failed with Proxmox's reason; the
    /// lab itself carries on (transient trouble is tried again like any step).
    func checkpointVM(_ instance: LabInstance) async throws -> LabInstance {
        let node = try placed(instance).node
        let machines = try await machines(of: instance)
        for checkpoint in try await checkpoints.list(instanceID: instance.id) where [.saving, .deleting].contains(checkpoint.status) {
            do {
                if checkpoint.status == .saving {
                    try await save(checkpoint, on: machines, node: node, of: instance)
                    try await checkpoints.mark(instance.id, name: checkpoint.name, .saved, problem: nil)
                } else {
                    try await delete(checkpoint, on: machines, node: node, of: instance)
                    try await checkpoints.remove(instance.id, name: checkpoint.name)
                }
            } catch let error as ProxmoxError where !error.isTransient {
                let doing = checkpoint.status == .saving ? "saved" : "deleted"
                logger.warning(
                    "checkpoint refused",
                    metadata: ["instance": .string(instance.id.rawValue), "checkpoint": .string(checkpoint.name), "error": .string("\(error)")])
                try await checkpoints.mark(instance.id, name: checkpoint.name, .failed, problem: "it could not be \(doing): \(error)")
            }
        }
        return try await move(instance, to: instance.address == nil ? .stopped : .ready)
    }

    /// Marks the checkpoints still waiting for work failed with `reason` and puts the lab back
    /// where it was: what its checkpoints' work could not finish costs those, not the lab.
    func giveUpCheckpoints(of instance: LabInstance, reason: String) async throws {
        for checkpoint in try await checkpoints.list(instanceID: instance.id) where [.saving, .deleting].contains(checkpoint.status) {
            let doing = checkpoint.status == .saving ? "saved" : "deleted"
            try await checkpoints.mark(instance.id, name: checkpoint.name, .failed, problem: "it could not be \(doing): \(reason)")
        }
        logger.warning("checkpoint work given up", metadata: ["instance": .string(instance.id.rawValue), "reason": .string(reason)])
        _ = try await move(instance, to: instance.address == nil ? .stopped : .ready)
    }

    /// A snapshot of each VM, unless an earlier attempt took it already.
    private func save(_ checkpoint: LabCheckpoint, on machines: [LabMachine], node: String, of instance: LabInstance) async throws {
        try await eachVM(machines, step: "checkpoint \(checkpoint.name)", of: instance) { vmid in
            guard try await !hasSnapshot(checkpoint.name, vmid: vmid, node: node) else { return nil }
            return try await proxmox.snapshot(node: node, vmid: vmid, name: checkpoint.name, description: checkpoint.label)
        }
    }

    /// Each VM's snapshot of the checkpoint removed, where there is one (a failed save may have left some).
    private func delete(_ checkpoint: LabCheckpoint, on machines: [LabMachine], node: String, of instance: LabInstance) async throws {
        try await eachVM(machines, step: "forget \(checkpoint.name)", of: instance) { vmid in
            guard try await hasSnapshot(checkpoint.name, vmid: vmid, node: node) else { return nil }
            return try await proxmox.deleteSnapshot(node: node, vmid: vmid, name: checkpoint.name)
        }
    }

    /// Runs the task `start` begins (nil: nothing to do) on each VM in turn, as a step of its own.
    private func eachVM(
        _ machines: [LabMachine], step name: String, of instance: LabInstance, start: @escaping @Sendable (_ vmid: Int) async throws -> UPID?
    ) async throws {
        for machine in machines {
            try await stepping(machine.step(name), of: instance) { step, remember in
                try await waitForTask(step.reference, start: { try await start(machine.vmid) }, remember: remember, timeout: settings.taskTimeout)
            }
        }
    }

    private func hasSnapshot(_ name: String, vmid: Int, node: String) async throws -> Bool {
        try await proxmox.snapshots(node: node, vmid: vmid).contains { $0.name == name }
    }
}
