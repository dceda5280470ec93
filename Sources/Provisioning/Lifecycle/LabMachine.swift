import LabCore

/// One VM of a lab instance, with the part of the environment it is made from.
struct LabMachine: Sendable {
    /// Its place in the environment's `vms`; students connect to 0.
    var index: Int
    var spec: VMSpec
    var vmid: Int

    /// The name of a step on this VM: `clone` on the first, `clone vm2` on the second.
    func step(_ base: String) -> String {
        index == 0 ? base : "\(base) vm\(index + 1)"
    }

    /// The instance's VMs, first to last.
    static func all(of instance: LabInstance, _ spec: EnvironmentSpec) throws(ProvisioningError) -> [LabMachine] {
        let vmids = instance.vmids
        guard vmids.count == spec.vms.count else {
            throw .invalidEnvironment(
                name: spec.name,
                problems: ["lab instance \(instance.id) has \(vmids.count) VMs but the environment now lists \(spec.vms.count); delete and request it again"])
        }
        return zip(spec.vms, vmids).enumerated().map { LabMachine(index: $0.offset, spec: $0.element.0, vmid: $0.element.1) }
    }
}
