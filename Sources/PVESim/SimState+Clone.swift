extension SimState {
    /// `POST /nodes/{node}/qemu/{vmid}/clone`: creates the new VM at once, locked, and a
    /// task that takes a slot of the storage's clone lock (waiting up to the lock timeout).
    mutating func clone(node: String, vmid: Int, _ params: SimParameters, user: String, now: Double) throws(SimAPIError) -> String {
        guard let newid = try params.int("newid") else { throw .missing("newid") }
        guard (100...999_999_999).contains(newid) else { throw .parameter("newid", "value must have a minimum value of 100") }
        let source = try vm(vmid, on: node)
        if let existing = vms[newid] {
            throw .failure("unable to create VM \(newid) - VM \(newid) already exists on node '\(existing.node)'")
        }
        let full = try params.bool("full") ?? !source.isTemplate
        if !full, !source.isTemplate { throw .failure("Linked clone feature for VM \(vmid) is only available for templates") }
        let target = params["target"] ?? node
        try reachable(target)
        let storageID = full ? (params["storage"] ?? source.storage) : source.storage
        if !full, let asked = params["storage"], asked != source.storage {
            throw .parameter("storage", "a linked clone stays on the template's storage '\(source.storage)'")
        }
        guard let storage = storage(storageID) else { throw .failure("storage '\(storageID)' does not exist") }
        guard storage.nodes.contains(target) else {
            throw .failure(
                storageID == source.storage && target != node
                    ? "can't clone VM to node '\(target)' (VM uses local storage)"
                    : "storage '\(storageID)' is not available on node '\(target)'")
        }
        let pool = params["pool"]
        if let pool, pools[pool] == nil { throw .failure("pool '\(pool)' does not exist") }
        if let description = params["description"], description.count > 8192 {
            throw .parameter("description", "value may only be 8192 characters long")
        }

        var clone = SimVM(vmid: newid, node: target, storage: storageID, isTemplate: false, config: source.config, lock: "clone", pool: pool)
        clone.load = configuration.guestLoad
        clone.config["template"] = nil
        clone.config["name"] = params["name"] ?? "Copy-of-VM-\(source.name)"
        clone.config["description"] = params["description"]
        clone.config["net0"] = withMAC(source.config["net0"] ?? "virtio,bridge=vmbr0", forced: true)
        clone.config["scsi0"] = "\(storageID):\(full ? "" : "base-\(vmid)-disk-0/")vm-\(newid)-disk-0,size=32G"
        clone.hostNumber = takeHost(on: target)
        vms[newid] = clone

        let duration = self.node(target)?.cloneSeconds ?? (full ? storage.fullCloneSeconds : storage.linkedCloneSeconds)
        let log = ["create \(full ? "full" : "linked") clone of drive scsi0 (\(source.config["scsi0"] ?? ""))"]
        let failureText = "clone failed: copy of drive scsi0 failed: simulated fault"
        var slots = storageSlots[storageID] ?? [0]
        let slot = slots.indices.min { slots[$0] < slots[$1] } ?? 0
        let begin = max(now, slots[slot])
        if begin - now > configuration.durations.lockTimeout {
            return startTask(
                node: target, type: "qmclone", id: vmid, user: user, now: now, duration: configuration.durations.lockTimeout,
                effect: .clone(vmid: newid), log: log,
                exitStatus: "can't lock file '/var/lock/pve-manager/pve-storage-\(storageID)' - got timeout", failureText: failureText)
        }
        let upid = startTask(
            node: target, type: "qmclone", id: vmid, user: user, now: now, begin: begin, duration: duration,
            effect: .clone(vmid: newid), log: log, failureText: failureText)
        slots[slot] = tasks[upid]?.endTime ?? begin + duration
        storageSlots[storageID] = slots
        return upid
    }

    /// `net0` with a MAC address: a new one when `forced` (as a clone gets) or when none is given.
    mutating func withMAC(_ net: String, forced: Bool) -> String {
        var parts = net.split(separator: ",").map(String.init)
        guard let first = parts.first else { return net }
        let model = first.split(separator: "=", maxSplits: 1)
        if model.count == 2, !forced { return net }
        parts[0] = "\(model[0])=\(nextMAC())"
        return parts.joined(separator: ",")
    }

    private mutating func takeHost(on node: String) -> Int {
        var used = usedHosts[node] ?? []
        var host = 10
        while used.contains(host) { host += 1 }
        used.insert(host)
        usedHosts[node] = used
        return host
    }
}
