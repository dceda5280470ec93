import Foundation
import LabCore

extension LabLifecycle {
    /// claiming → ready: the spare its student claimed gets a password of their own for its
    /// guest user, set through the guest agent (cloud-init set the first one at the first boot
    /// and changes it no more), and its desktop is published for them. A spare whose password
    /// cannot be set is destroyed, and the student's lab cloned afresh: a spare is never handed
    /// out with a password set for someone else.
    func claimVM(_ instance: LabInstance) async throws -> LabInstance {
        let (vmid, node) = try placed(instance)
        let access = try await specification(of: instance).desktopAccess
        var claimed = instance
        if let username = access.username, instance.guestPassword != nil {
            let password = GuestPassword.generate()
            do {
                try await stepping("password", of: instance) { _, _ in
                    try await proxmox.setUserPassword(node: node, vmid: vmid, username: username, password: password)
                }
            } catch let error as ProxmoxError {
                return try await replaceSpare(instance, because: error)
            }
            claimed.guestPassword = password
            claimed = try await instances.save(claimed)
        }
        let published = claimed
        try await stepping("publish", of: published) { _, _ in try await desktops.publish(published, access: access) }
        return try await move(published, to: .ready)
    }

    /// claiming → requested: the spare's VMs destroyed, and the lab made again from the start for its student.
    private func replaceSpare(_ instance: LabInstance, because error: ProxmoxError) async throws -> LabInstance {
        logger.warning(
            "a claimed spare's password cannot be set; destroying it and cloning afresh",
            metadata: ["instance": .string(instance.id.rawValue), "error": .string("\(error)")])
        try await removeVM(of: instance)
        return try await move(instance, to: .requested) { next in
            next.vmid = nil
            next.companionVMIDs = []
            next.node = nil
            next.address = nil
            next.guestPassword = nil
        }
    }

    /// Whether a prepared lab, just configured, waits stopped for the moment its class's labs
    /// power on, rather than starting now.
    func holdsForItsClass(_ instance: LabInstance) async throws -> Bool {
        guard let session = instance.preparedFor, let meeting = try await classSessions.find(id: session) else { return false }
        let plan = try await preparationPlan()
        return clock.now() < plan.powerOn(of: meeting.plan?.labs ?? 1, for: meeting)
    }
}
