extension SimState {
    /// `POST …/status/start`.
    mutating func start(node: String, vmid: Int, user: String, now: Double) throws(SimAPIError) -> String {
        let vm = try unlocked(vmid, on: node)
        if vm.isTemplate { throw .failure("you can't start a vm if it's a template") }
        if vm.running { throw .failure("VM \(vmid) already running") }
        return startTask(
            node: node, type: "qmstart", id: vmid, user: user, now: now, duration: configuration.durations.start,
            effect: .start(vmid: vmid), log: ["generating cloud-init ISO"], failureText: "start failed: QEMU exited with code 1")
    }

    /// `POST …/status/stop` (hard) or `…/status/shutdown` (through ACPI, slower).
    mutating func stop(node: String, vmid: Int, graceful: Bool, user: String, now: Double) throws(SimAPIError) -> String {
        let vm = try vm(vmid, on: node)
        if graceful, !vm.running { throw .failure("VM \(vmid) not running") }
        let duration = vm.running ? (graceful ? configuration.durations.shutdown : configuration.durations.stop) : 0
        return startTask(
            node: node, type: graceful ? "qmshutdown" : "qmstop", id: vmid, user: user, now: now, duration: duration,
            effect: .stop(vmid: vmid), log: [], failureText: "VM quit/powerdown failed - got timeout")
    }

    /// `DELETE /nodes/{node}/qemu/{vmid}`.
    mutating func destroy(node: String, vmid: Int, user: String, now: Double) throws(SimAPIError) -> String {
        let vm = try unlocked(vmid, on: node)
        if vm.running { throw .failure("VM \(vmid) is running - destroy failed") }
        if vm.isTemplate, vms.values.contains(where: { $0.config["scsi0"]?.contains("base-\(vmid)-disk-0/") == true }) {
            throw .failure("base volume 'base-\(vmid)-disk-0' is still in use by linked cloned")
        }
        vms[vmid]?.lock = "destroyed"
        return startTask(
            node: node, type: "qmdestroy", id: vmid, user: user, now: now, duration: configuration.durations.destroy,
            effect: .destroy(vmid: vmid), log: ["Removing image: 100% complete...done."],
            failureText: "error with cfs lock 'storage-\(vm.storage)': got lock request timeout")
    }

    /// `GET …/status/current`.
    func currentStatus(node: String, vmid: Int, now: Double) throws(SimAPIError) -> [String: Any] {
        let vm = try vm(vmid, on: node)
        var status: [String: Any] = [
            "vmid": vmid, "name": vm.name, "status": vm.running ? "running" : "stopped",
            "qmpstatus": vm.running ? "running" : "stopped", "cpus": vm.cores, "maxmem": vm.memoryMiB << 20,
            "mem": vm.running ? (vm.memoryMiB << 19) : 0, "uptime": vm.startedAt.map { Int(now - $0) } ?? 0,
            "agent": 1, "cpu": vm.running ? 0.03 : 0,
        ]
        if let lock = vm.lock { status["lock"] = lock }
        if vm.isTemplate { status["template"] = 1 }
        return status
    }

    /// `GET …/agent/network-get-interfaces`: an error until the agent is up, then `lo` and
    /// the interface whose MAC is `net0`'s, with an address from the node's subnet.
    func interfaces(node: String, vmid: Int, now: Double) throws(SimAPIError) -> [String: Any] {
        let vm = try vm(vmid, on: node)
        try agentAvailable(vm, now: now)
        var ethernet: [String: Any] = ["name": "ens18", "hardware-address": (vm.mac ?? "").lowercased()]
        if let host = vm.hostNumber, let subnet = self.node(node).flatMap({ SimSubnet($0.subnet) }) {
            ethernet["ip-addresses"] = [
                ["ip-address-type": "ipv4", "ip-address": subnet.address(host: host), "prefix": subnet.prefix]
            ]
        }
        let loopback: [String: Any] = [
            "name": "lo", "hardware-address": "00:00:00:00:00:00",
            "ip-addresses": [["ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8]],
        ]
        return ["result": [loopback, ethernet]]
    }
}

/// An IPv4 subnet in CIDR form, as a node's VM network.
struct SimSubnet {
    let base: UInt32
    let prefix: Int

    init?(_ cidr: String) {
        let parts = cidr.split(separator: "/")
        let octets = parts.first?.split(separator: ".").compactMap { UInt32($0) } ?? []
        guard parts.count == 2, octets.count == 4, octets.allSatisfy({ $0 < 256 }), let prefix = Int(parts[1]), (8...30).contains(prefix)
        else { return nil }
        self.base = octets.reduce(0) { $0 << 8 | $1 } & (UInt32.max << (32 - prefix))
        self.prefix = prefix
    }

    func address(host: Int) -> String {
        let value = base | (UInt32(truncatingIfNeeded: host) & ~(UInt32.max << (32 - prefix)))
        return [24, 16, 8, 0].map { String((value >> $0) & 0xFF) }.joined(separator: ".")
    }
}
