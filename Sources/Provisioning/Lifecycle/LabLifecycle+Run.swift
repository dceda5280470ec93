import Foundation
import LabCore

extension LabLifecycle {
    /// starting → waiting-for-address: every VM powered on (or found running).
    func startVM(_ instance: LabInstance) async throws -> LabInstance {
        let node = try placed(instance).node
        for machine in try await machines(of: instance) {
            try await stepping(machine.step("start"), of: instance) { step, remember in
                try await waitForTask(
                    step.reference,
                    start: {
                        guard try await !proxmox.status(node: node, vmid: machine.vmid).running else { return nil }
                        return try await proxmox.start(node: node, vmid: machine.vmid)
                    }, remember: remember, timeout: settings.taskTimeout)
            }
        }
        return try await move(instance, to: .waitingForAddress)
    }

    /// waiting-for-address → ready: the first VM's guest agent reports an IPv4 address on
    /// `net0`, every VM has the `clean` snapshot that reset returns to, and the desktop is
    /// published for the student.
    func awaitAddress(_ instance: LabInstance) async throws -> LabInstance {
        let (vmid, node) = try placed(instance)
        let address = try await stepping("address", of: instance) { step, _ in
            let mac = try await Self.mac(of: proxmox.config(node: node, vmid: vmid)["net0"])
            let deadline = step.startedAt.addingTimeInterval(settings.addressTimeout.seconds)
            while clock.now() < deadline {
                do {
                    let interfaces = try await proxmox.interfaces(node: node, vmid: vmid)
                    if let address = interfaces.ipv4Address(mac: mac) { return address }
                } catch ProxmoxError.api(_, let message) where message.localizedCaseInsensitiveContains("guest agent") {
                    // Not running yet: the guest is still booting.
                }
                try await Task.sleep(for: settings.pollInterval)
            }
            throw ProvisioningError.noAddress(vmid: vmid, waited: settings.addressTimeout)
        }
        let spec = try await specification(of: instance)
        for machine in try LabMachine.all(of: instance, spec)
        where try await !proxmox.snapshots(node: node, vmid: machine.vmid).contains(where: { $0.name == Self.cleanSnapshot }) {
            try await stepping(machine.step("snapshot"), of: instance) { step, remember in
                try await waitForTask(
                    step.reference,
                    start: {
                        try await proxmox.snapshot(
                            node: node, vmid: machine.vmid, name: Self.cleanSnapshot, description: "As LabGate first made it; reset returns here")
                    }, remember: remember, timeout: settings.taskTimeout)
            }
        }
        let reachable = {
            var next = instance
            next.address = address
            return next
        }()
        // A spare has no student to publish it for until one claims it.
        if !instance.isSpare {
            try await stepping("publish", of: instance) { _, _ in try await desktops.publish(reachable, access: spec.desktopAccess) }
        }
        let ready = try await move(instance, to: .ready) { $0.address = address }
        // Only a new lab's first readiness: a restart or a reset is the student's own doing; a
        // lab prepared for a class is ready before its student looks for it.
        if let notices, instance.preparedFor == nil,
            try await !instances.steps(of: instance.id).contains(where: { ["stopping", "resetting"].contains($0.name) })
        {
            await notices.labReady(ready, waited: clock.now().timeIntervalSince(instance.createdAt))
        }
        return ready
    }

    /// stopping → stopped: the student's access withdrawn, every VM shut down (forced off after a minute).
    func stopVM(_ instance: LabInstance) async throws -> LabInstance {
        let node = try placed(instance).node
        try await stepping("withdraw", of: instance) { _, _ in try await desktops.withdraw(instance) }
        for machine in try await machines(of: instance) {
            try await stepping(machine.step("stop"), of: instance) { step, remember in
                try await waitForTask(
                    step.reference,
                    start: {
                        guard try await proxmox.status(node: node, vmid: machine.vmid).running else { return nil }
                        return try await proxmox.shutdown(node: node, vmid: machine.vmid, timeoutSeconds: 60)
                    }, remember: remember, timeout: settings.taskTimeout)
            }
        }
        return try await move(instance, to: .stopped) { $0.address = nil }
    }

    /// resetting → starting: the student's access withdrawn, every VM rolled back to the
    /// checkpoint the student chose, or else to `clean` (either leaves it stopped, as a
    /// snapshot without memory does on Proxmox; starting powers it on again).
    func resetVM(_ instance: LabInstance) async throws -> LabInstance {
        let node = try placed(instance).node
        let chosen = try await checkpoints.list(instanceID: instance.id).first { $0.status == .restoring }
        try await stepping("withdraw", of: instance) { _, _ in try await desktops.withdraw(instance) }
        for machine in try await machines(of: instance) {
            try await stepping(machine.step("reset"), of: instance) { step, remember in
                try await waitForTask(
                    step.reference,
                    start: {
                        try await proxmox.rollback(node: node, vmid: machine.vmid, to: chosen?.name ?? Self.cleanSnapshot)
                    }, remember: remember, timeout: settings.taskTimeout)
            }
        }
        if let chosen { try await checkpoints.mark(instance.id, name: chosen.name, .saved, problem: nil) }
        return try await move(instance, to: .starting) { $0.address = nil }
    }

    /// deleting → deleted: the VMs destroyed, their VMIDs and the clone slot given back.
    func deleteVM(_ instance: LabInstance) async throws -> LabInstance {
        try await removeVM(of: instance)
        return try await move(instance, to: .deleted) { next in
            next.node = nil
            next.address = nil
        }
    }

    /// Removes the instance's desktop records, destroys every VM of it that exists and is
    /// LabGate's (waiting for a clone in progress, stopping it first), then releases the clone
    /// slot and reservations.
    func removeVM(of instance: LabInstance) async throws {
        try await desktops.remove(instance)
        let guests = try await proxmox.resources(type: "vm")
        for (index, vmid) in instance.vmids.enumerated().reversed() {
            guard let guest = guests.first(where: { $0.vmid == vmid }), let node = guest.node else { continue }
            guard try await isOurs(guest, instance) else {
                logger.warning(
                    "not destroying a VM LabGate did not create", metadata: ["vmid": .stringConvertible(vmid), "instance": .string(instance.id.rawValue)])
                continue
            }
            try await stepping(index == 0 ? "destroy" : "destroy vm\(index + 1)", of: instance) { step, remember in
                if guest.lock == "clone" { try await waitUntilUnlocked(vmid: vmid) }
                if try await proxmox.status(node: node, vmid: vmid).running {
                    _ = try await proxmox.wait(for: proxmox.stop(node: node, vmid: vmid), timeout: settings.taskTimeout)
                }
                try await waitForTask(
                    step.reference,
                    start: {
                        try await proxmox.destroy(node: node, vmid: vmid)
                    }, remember: remember, timeout: settings.taskTimeout)
            }
        }
        try await slots.release(for: instance.id)
        try await reservations.release(heldBy: .instance(instance.id))
        try await checkpoints.removeAll(of: instance.id)
    }

    /// The instance's VMs with their specifications.
    func machines(of instance: LabInstance) async throws -> [LabMachine] {
        try LabMachine.all(of: instance, try await specification(of: instance))
    }

    /// Whether `guest` is the VM LabGate cloned for `instance` (its description says so).
    func isOurs(_ guest: PVEResource, _ instance: LabInstance) async throws -> Bool {
        guard let node = guest.node, let vmid = guest.vmid, !guest.isTemplate else { return false }
        let description = try await proxmox.config(node: node, vmid: vmid)["description"] ?? ""
        return description.contains(Self.description(of: instance))
    }

    /// Waits until a clone an earlier attempt started has finished; throws if it vanished
    /// (the clone failed and PVE removed it), so the next attempt clones again.
    func waitUntilUnlocked(vmid: Int) async throws {
        let deadline = ContinuousClock.now + settings.cloneTimeout
        while ContinuousClock.now < deadline {
            guard let guest = try await proxmox.guest(vmid: vmid) else {
                throw ProxmoxError.connection("the clone of an earlier attempt is gone; cloning again", sent: false)
            }
            if guest.lock != "clone" { return }
            try await Task.sleep(for: settings.pollInterval)
        }
        throw ProxmoxError.timedOut("VM \(vmid) is still locked by a clone after \(settings.cloneTimeout)")
    }

    /// The VMID and node of an instance that has a VM.
    func placed(_ instance: LabInstance) throws -> (vmid: Int, node: String) {
        guard let vmid = instance.vmid, let node = instance.node else {
            throw ProvisioningError.notAllowed(operation: "work on the VM of", state: "\(instance.state.rawValue) without a VM")
        }
        return (vmid, node)
    }

    /// The MAC address in a `net0` value (`virtio=BC:24:11:…,bridge=vmbr0`).
    static func mac(of net0: String?) throws -> String {
        guard let first = net0?.split(separator: ",").first, let equals = first.firstIndex(of: "=") else {
            throw ProxmoxError.unexpectedAnswer("the VM has no net0 with a MAC address")
        }
        return String(first[first.index(after: equals)...])
    }

    static let cleanSnapshot = "clean"
}

extension Duration {
    /// The duration in seconds, as `TimeInterval`.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
