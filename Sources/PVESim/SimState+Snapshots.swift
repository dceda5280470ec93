extension SimState {
    /// `GET …/snapshot`: the snapshots and `current`, the state the VM is in.
    func snapshots(node: String, vmid: Int) throws(SimAPIError) -> [[String: Any]] {
        let vm = try vm(vmid, on: node)
        var list: [[String: Any]] = vm.snapshots.map { snapshot in
            var entry: [String: Any] = ["name": snapshot.name, "description": snapshot.description, "snaptime": snapshot.time, "vmstate": 0]
            if let parent = snapshot.parent { entry["parent"] = parent }
            return entry
        }
        var current: [String: Any] = ["name": "current", "description": "You are here!", "running": vm.running ? 1 : 0]
        if let last = vm.snapshots.last { current["parent"] = last.name }
        list.append(current)
        return list
    }

    /// `POST …/snapshot`.
    mutating func snapshot(node: String, vmid: Int, _ params: SimParameters, user: String, now: Double) throws(SimAPIError) -> String {
        let name = try params.string("snapname")
        guard name.first?.isLetter == true, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.count <= 40 else {
            throw .parameter("snapname", "invalid format - invalid configuration ID '\(name)'")
        }
        if try params.bool("vmstate") == true { throw .failure("snapshots with RAM are not simulated") }
        let vm = try unlocked(vmid, on: node)
        if name == "current" || vm.snapshots.contains(where: { $0.name == name }) {
            throw .failure("snapshot name '\(name)' already used")
        }
        vms[vmid]?.lock = "snapshot"
        return startTask(
            node: node, type: "qmsnapshot", id: vmid, user: user, now: now, duration: configuration.durations.snapshot,
            effect: .snapshot(vmid: vmid, name: name, description: params["description"] ?? ""),
            log: ["snapshotting 'drive-scsi0' (\(vm.config["scsi0"] ?? ""))"],
            failureText: "snapshot create failed: simulated fault")
    }

    /// `POST …/snapshot/{snapname}/rollback`.
    mutating func rollback(node: String, vmid: Int, name: String, _ params: SimParameters, user: String, now: Double) throws(SimAPIError) -> String {
        let vm = try unlocked(vmid, on: node)
        guard vm.snapshots.contains(where: { $0.name == name }) else { throw .failure("snapshot '\(name)' does not exist") }
        let thenStart = try params.bool("start") ?? false
        vms[vmid]?.lock = "rollback"
        return startTask(
            node: node, type: "qmrollback", id: vmid, user: user, now: now, duration: configuration.durations.rollback,
            effect: .rollback(vmid: vmid, name: name, thenStart: thenStart), log: [], failureText: "rollback failed: simulated fault")
    }

    /// `DELETE …/snapshot/{snapname}`.
    mutating func deleteSnapshot(node: String, vmid: Int, name: String, user: String, now: Double) throws(SimAPIError) -> String {
        let vm = try unlocked(vmid, on: node)
        guard vm.snapshots.contains(where: { $0.name == name }) else { throw .failure("snapshot '\(name)' does not exist") }
        vms[vmid]?.lock = "snapshot-delete"
        return startTask(
            node: node, type: "qmdelsnapshot", id: vmid, user: user, now: now, duration: configuration.durations.snapshot,
            effect: .deleteSnapshot(vmid: vmid, name: name), log: [], failureText: "snapshot delete failed: simulated fault")
    }
}
