/// A VM (or template) of the simulated cluster.
struct SimVM {
    let vmid: Int
    var node: String
    var storage: String
    var isTemplate: Bool
    /// The VM's configuration as PVE stores it: key → value text.
    var config: [String: String]
    var running = false
    /// Set while a clone, snapshot or rollback holds the VM, as PVE's `lock:` line.
    var lock: String?
    var pool: String?
    var snapshots: [SimSnapshot] = []
    var startedAt: Double?
    var agentReadyAt: Double?
    /// The processes the guest agent started and has not reported as exited yet, by PID.
    var processes: [Int: SimGuestProcess] = [:]
    /// Which host of its node's subnet the guest's `net0` address is.
    var hostNumber: Int?
    /// How busy the guest is while it runs, as `rrddata` reports it.
    var load = SimGuestLoad.working
    /// The passwords the guest agent set, by guest user: what `agent/set-user-password` changed.
    var userPasswords: [String: String] = [:]

    var name: String { config["name"] ?? "VM \(vmid)" }
    var cores: Int { Int(config["cores"] ?? "") ?? 1 }
    var memoryMiB: Int {
        let text = config["memory"] ?? "512"
        return Int(text.hasPrefix("current=") ? String(text.dropFirst(8)) : text) ?? 512
    }

    /// The MAC address in `net0`, e.g. `virtio=BC:24:11:00:00:01,bridge=vmbr0`.
    var mac: String? {
        guard let net = config["net0"] else { return nil }
        for part in net.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[1].split(separator: ":").count == 6 { return String(pair[1]) }
        }
        return nil
    }
}

/// A snapshot of a VM.
struct SimSnapshot {
    var name: String
    var description: String
    var parent: String?
    var time: Int
    var config: [String: String]
}
