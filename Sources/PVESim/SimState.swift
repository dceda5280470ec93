import Foundation

/// Everything the simulated cluster knows, changed only under `SimCluster`'s lock.
struct SimState {
    var configuration: SimConfiguration
    var faults: SimFaults
    /// How commands run through the guest agent turn out; tests change it while running.
    var guestCommands: [SimGuestCommand]
    var vms: [Int: SimVM] = [:]
    var tasks: [String: SimTask] = [:]
    /// The UPIDs of tasks whose effect is not applied yet: what `advance` looks at.
    var unfinished: Set<String> = []
    var pools: [String: String] = [:]
    /// Per storage, when each of its clone slots is free again.
    var storageSlots: [String: [Double]] = [:]
    /// Per node, the host numbers of its subnet already given to a VM.
    var usedHosts: [String: Set<Int>] = [:]
    var nextPID = 0x1A00
    var macSerial = 0
    /// Draws every random fault, seeded by `faults.seed` when it is set.
    var random: SimRandom
    /// Set for the length of one call that `SimTrouble.taskFailure` struck: its task fails.
    var failTasks = false

    init(configuration: SimConfiguration) {
        self.configuration = configuration
        self.faults = configuration.faults
        self.guestCommands = configuration.guestCommands
        self.random = SimRandom(seed: configuration.faults.seed ?? UInt64.random(in: 0...UInt64.max))
        for pool in configuration.pools { pools[pool] = "" }
        for storage in configuration.storages {
            storageSlots[storage.id] = Array(repeating: 0, count: max(1, storage.maxConcurrentClones))
        }
        for template in configuration.templates {
            vms[template.vmid] = SimVM(
                vmid: template.vmid, node: template.node, storage: template.storage, isTemplate: true,
                config: [
                    "name": template.name, "cores": String(template.cores), "memory": String(template.memoryMiB),
                    "net0": "virtio=\(nextMAC()),bridge=vmbr0", "scsi0": "\(template.storage):base-\(template.vmid)-disk-0,size=32G",
                    "agent": "1", "ide2": "\(template.storage):cloudinit", "template": "1",
                ])
        }
    }

    func node(_ name: String) -> SimNodeSpec? { configuration.nodes.first { $0.name == name } }
    func storage(_ id: String) -> SimStorageSpec? { configuration.storages.first { $0.id == id } }

    /// Refuses requests for a node that does not exist or that the proxy cannot reach.
    func reachable(_ name: String) throws(SimAPIError) {
        guard node(name) != nil else { throw .parameter("node", "no such cluster node '\(name)'") }
        if faults.downNodes.contains(name) { throw .unreachable(name) }
    }

    /// The VM `vmid` as seen from `node`, where PVE looks for its configuration file.
    func vm(_ vmid: Int, on node: String) throws(SimAPIError) -> SimVM {
        guard let vm = vms[vmid], vm.node == node else { throw .noConfig(node: node, vmid: vmid) }
        return vm
    }

    func unlocked(_ vmid: Int, on node: String) throws(SimAPIError) -> SimVM {
        let vm = try vm(vmid, on: node)
        if let lock = vm.lock { throw .failure("VM is locked (\(lock))") }
        return vm
    }

    /// A locally administered MAC with Proxmox's prefix, unique in this cluster.
    mutating func nextMAC() -> String {
        macSerial += 1
        let bytes = [0xBC, 0x24, 0x11, (macSerial >> 16) & 0xFF, (macSerial >> 8) & 0xFF, macSerial & 0xFF]
        return bytes.map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// Starts a task that ends `duration` simulated seconds after `begin` (default: now).
    /// Unless `exitStatus` fixes the outcome, the configured fault rates decide it.
    mutating func startTask(
        node: String, type: String, id: Int, user: String, now: Double, begin: Double? = nil, duration: Double,
        effect: SimEffect, log: [String], exitStatus fixed: String? = nil, failureText: String
    ) -> String {
        nextPID += 1
        let startTime = begin ?? now
        let upid = SimTask.upid(node: node, pid: nextPID, pstart: nextPID * 7, startTime: Int(now), type: type, id: String(id), user: user)
        var exitStatus = "OK"
        var endTime = startTime + duration
        if let fixed {
            exitStatus = fixed
        } else if failTasks || random.chance(faults.taskFailureRate) {
            exitStatus = failureText
            endTime = startTime + duration / 2
        } else if random.chance(faults.taskWarningRate) {
            exitStatus = "WARNINGS: 1"
        }
        let last: String =
            switch exitStatus {
            case "OK": "TASK OK"
            case let s where s.hasPrefix("WARNINGS"): "TASK \(s)"
            default: "TASK ERROR: \(exitStatus)"
            }
        tasks[upid] = SimTask(
            upid: upid, node: node, type: type, id: String(id), user: user, pid: nextPID, startTime: now,
            endTime: endTime, exitStatus: exitStatus, log: log + (exitStatus.hasPrefix("WARNINGS") ? ["WARN: simulated warning"] : []) + [last],
            effect: effect)
        unfinished.insert(upid)
        return upid
    }

    /// Applies, in order, the effects of every task that has ended by `now`.
    mutating func advance(to now: Double) {
        let due = unfinished.compactMap { tasks[$0] }.filter { $0.endTime <= now }.sorted { $0.endTime < $1.endTime }
        for task in due {
            tasks[task.upid]?.finished = true
            unfinished.remove(task.upid)
            finish(task)
        }
    }

    private mutating func finish(_ task: SimTask) {
        let ok = !task.failed
        switch task.effect {
        case .none:
            break
        case .clone(let vmid):
            if ok { vms[vmid]?.lock = nil } else { remove(vmid) }
        case .start(let vmid):
            if ok {
                vms[vmid]?.running = true
                vms[vmid]?.startedAt = task.endTime
                let delay = agentDelay()
                vms[vmid]?.agentReadyAt = task.endTime + delay
            }
        case .stop(let vmid):
            if ok { powerOff(vmid) }
        case .snapshot(let vmid, let name, let description):
            vms[vmid]?.lock = nil
            if ok, let vm = vms[vmid] {
                let snapshot = SimSnapshot(
                    name: name, description: description, parent: vm.snapshots.last?.name, time: Int(task.endTime), config: vm.config)
                vms[vmid]?.snapshots.append(snapshot)
            }
        case .rollback(let vmid, let name, let thenStart):
            vms[vmid]?.lock = nil
            if ok, let snapshot = vms[vmid]?.snapshots.first(where: { $0.name == name }) {
                vms[vmid]?.config = snapshot.config
                powerOff(vmid)
                if thenStart {
                    vms[vmid]?.running = true
                    vms[vmid]?.startedAt = task.endTime
                    let delay = agentDelay()
                    vms[vmid]?.agentReadyAt = task.endTime + delay
                }
            }
        case .deleteSnapshot(let vmid, let name):
            vms[vmid]?.lock = nil
            if ok { vms[vmid]?.snapshots.removeAll { $0.name == name } }
        case .destroy(let vmid):
            if ok { remove(vmid) } else { vms[vmid]?.lock = nil }
        }
    }

    /// How long a booted guest's agent takes to answer: four times as long for the share
    /// of boots that random faults slow down.
    private mutating func agentDelay() -> Double {
        configuration.durations.agentDelay * (random.chance(faults.randomRate) ? 4 : 1)
    }

    /// The trouble `method path` runs into now, if any: a matching call fault (counted), else a random draw.
    mutating func trouble(method: String, path: String) -> SimTrouble? {
        if let index = faults.calls.firstIndex(where: { $0.matches(method: method, path: path) }) {
            if let times = faults.calls[index].times { faults.calls[index].times = times - 1 }
            return faults.calls[index].trouble
        }
        guard random.chance(faults.randomRate) else { return nil }
        return random.pick(SimTrouble.allCases.filter { $0.applies(method: method, path: path) })
    }

    private mutating func powerOff(_ vmid: Int) {
        vms[vmid]?.running = false
        vms[vmid]?.startedAt = nil
        vms[vmid]?.agentReadyAt = nil
        vms[vmid]?.processes = [:]
    }

    private mutating func remove(_ vmid: Int) {
        guard let vm = vms.removeValue(forKey: vmid) else { return }
        if let host = vm.hostNumber { usedHosts[vm.node]?.remove(host) }
    }
}
