/// How provisioning refuses or fails; the edge (HTTP, CLI) turns these into answers.
public enum ProvisioningError: Error, Equatable, CustomStringConvertible {
    /// An environment specification that cannot work, with every reason.
    case invalidEnvironment(name: String, problems: [String])
    case unknownEnvironment(String)
    case unknownInstance(String)
    /// The operation makes no sense in the instance's state (stop a deleted instance).
    case notAllowed(operation: String, state: String)
    /// No node can take the VM now (all down, full, or at their clone limits for too long).
    case noCapacity(String)
    /// Every VMID of the configured range is taken.
    case vmidsExhausted(ClosedRange<Int>)
    /// A VLAN range with every tag taken.
    case vlansExhausted(ClosedRange<Int>)
    /// The VM never reported an address through its guest agent.
    case noAddress(vmid: Int, waited: Duration)
    /// A VM holds the instance's VMID that LabGate did not create.
    case foreignVM(vmid: Int)
    /// A step gave up after repeated transient failures.
    case gaveUp(step: String, attempts: Int, lastError: String)
    /// The lab holds as many checkpoints as its environment allows (0: it allows none).
    case checkpointLimit(Int)
    /// A checkpoint's label that cannot be used, and why.
    case invalidCheckpointLabel(String)
    /// A quota's checkpoints are all taken: whose (`you`, `your course`, `the lab service`) and how many.
    case checkpointQuota(holder: String, limit: Int)
    case unknownCheckpoint(String)

    public var description: String {
        switch self {
        case .invalidEnvironment(let name, let problems):
            "environment \(name.debugDescription) is not valid: " + problems.joined(separator: "; ")
        case .unknownEnvironment(let name): "no environment named \(name.debugDescription) (see labgate env list)"
        case .unknownInstance(let id): "no lab instance \(id) (see labgate instance list)"
        case .notAllowed(let operation, let state): "cannot \(operation) a lab instance that is \(state)"
        case .noCapacity(let why): "no Proxmox node can take the VM now: \(why)"
        case .vmidsExhausted(let range): "every VMID from \(range.lowerBound) to \(range.upperBound) is in use; widen provisioning.vmidMin/vmidMax"
        case .vlansExhausted(let range): "every VLAN tag from \(range.lowerBound) to \(range.upperBound) is in use"
        case .noAddress(let vmid, let waited):
            "VM \(vmid) reported no IPv4 address through the QEMU guest agent within \(waited.components.seconds) s; "
                + "is qemu-guest-agent installed and enabled (agent: 1) in the template?"
        case .foreignVM(let vmid): "VMID \(vmid) was taken by a VM LabGate did not create; retry to get another VMID"
        case .gaveUp(let step, let attempts, let lastError): "gave up \(step) after \(attempts) failed attempts: \(lastError)"
        case .checkpointLimit(0): "this lab keeps no checkpoints"
        case .checkpointLimit(let limit): "this lab keeps at most \(limit) checkpoints; delete one to save another"
        case .invalidCheckpointLabel(let why): "a checkpoint's name \(why)"
        case .unknownCheckpoint(let name): "the lab has no checkpoint \(name.debugDescription)"
        case .checkpointQuota(let holder, let limit): "\(holder) may keep \(limit) checkpoints at once, and that many are kept; delete one to save another"
        }
    }
}
