extension SimState {
    /// `GET /nodes`: every node with its load; a down node is `offline`.
    func nodes(now: Double) -> [[String: Any]] {
        configuration.nodes.map { node in
            let running = vms.values.filter { $0.node == node.name && $0.running }
            let online = !faults.downNodes.contains(node.name)
            return [
                "id": "node/\(node.name)", "type": "node", "node": node.name, "status": online ? "online" : "offline",
                "maxcpu": node.cores, "cpu": online ? min(1, 0.02 + Double(running.reduce(0) { $0 + $1.cores }) * 0.1 / Double(node.cores)) : 0,
                "maxmem": node.memoryMiB << 20, "mem": online ? (4096 + running.reduce(0) { $0 + $1.memoryMiB }) << 20 : 0,
                "uptime": online ? Int(now) % 1_000_000 : 0, "level": "",
            ]
        }
    }

    /// `GET /cluster/resources`, optionally only `vm`, `node`, `storage` or `pool` entries;
    /// guests only when `listingVMs` (the caller holds `VM.Audit`).
    func resources(type: String?, now: Double, listingVMs: Bool) throws(SimAPIError) -> [[String: Any]] {
        if let type, !["vm", "node", "storage", "pool", "sdn"].contains(type) {
            throw .parameter("type", "value '\(type)' does not have a value in the enumeration 'vm, storage, node, sdn, pool'")
        }
        var list: [[String: Any]] = []
        if type == nil || type == "node" { list += nodes(now: now) }
        if type == nil || type == "vm", listingVMs {
            list += vms.values.sorted { $0.vmid < $1.vmid }.map { vm in
                var entry: [String: Any] = [
                    "id": "qemu/\(vm.vmid)", "type": "qemu", "vmid": vm.vmid, "name": vm.name, "node": vm.node,
                    "status": faults.downNodes.contains(vm.node) ? "unknown" : (vm.running ? "running" : "stopped"),
                    "template": vm.isTemplate ? 1 : 0, "maxcpu": vm.cores, "cpu": vm.running ? 0.03 : 0,
                    "maxmem": vm.memoryMiB << 20, "mem": vm.running ? vm.memoryMiB << 19 : 0,
                    "uptime": vm.startedAt.map { Int(now - $0) } ?? 0,
                ]
                if let pool = vm.pool { entry["pool"] = pool }
                if let tags = vm.config["tags"] { entry["tags"] = tags }
                if let lock = vm.lock { entry["lock"] = lock }
                return entry
            }
        }
        if type == nil || type == "storage" {
            for storage in configuration.storages {
                for node in storage.nodes {
                    list.append([
                        "id": "storage/\(node)/\(storage.id)", "type": "storage", "storage": storage.id, "node": node,
                        "shared": storage.shared ? 1 : 0, "status": "available", "content": "images,rootdir",
                        "plugintype": storage.shared ? "rbd" : "lvmthin",
                    ])
                }
            }
        }
        if type == nil || type == "pool" {
            list += pools.keys.sorted().map { ["id": "/pool/\($0)", "type": "pool", "pool": $0] }
        }
        return list
    }

    /// `GET /pools` (with `poolid`: that pool and its members).
    func pools(_ params: SimParameters) throws(SimAPIError) -> [[String: Any]] {
        if let id = params["poolid"] {
            guard let comment = pools[id] else { throw .failure("pool '\(id)' does not exist") }
            let members: [[String: Any]] = vms.values.filter { $0.pool == id }.sorted { $0.vmid < $1.vmid }.map {
                ["id": "qemu/\($0.vmid)", "type": "qemu", "vmid": $0.vmid, "node": $0.node, "name": $0.name]
            }
            return [["poolid": id, "comment": comment, "members": members]]
        }
        return pools.keys.sorted().map { ["poolid": $0, "comment": pools[$0] ?? ""] }
    }

    /// `POST /pools`.
    mutating func createPool(_ params: SimParameters) throws(SimAPIError) {
        let id = try params.string("poolid")
        guard id.first?.isLetter == true, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) else {
            throw .parameter("poolid", "invalid format - invalid pool ID '\(id)'")
        }
        if pools[id] != nil { throw .failure("pool '\(id)' already exists") }
        pools[id] = params["comment"] ?? ""
    }

    /// `GET /nodes/{node}/storage`.
    func storages(node: String) -> [[String: Any]] {
        configuration.storages.filter { $0.nodes.contains(node) }.map {
            [
                "storage": $0.id, "shared": $0.shared ? 1 : 0, "active": 1, "enabled": 1, "content": "images,rootdir",
                "type": $0.shared ? "rbd" : "lvmthin",
            ]
        }
    }

    /// `GET /cluster/nextid`: the lowest free VMID from 100, or whether `vmid` is free.
    func nextID(_ params: SimParameters) throws(SimAPIError) -> Int {
        if let wanted = try params.int("vmid") {
            if vms[wanted] != nil { throw .parameter("vmid", "VM \(wanted) already exists") }
            return wanted
        }
        var id = 100
        while vms[id] != nil { id += 1 }
        return id
    }

    /// `GET …/tasks/{upid}/status`.
    func taskStatus(node: String, upid: String) throws(SimAPIError) -> [String: Any] {
        let task = try task(node: node, upid: upid)
        var status: [String: Any] = [
            "upid": task.upid, "node": task.node, "pid": task.pid, "pstart": task.pid * 7, "starttime": Int(task.startTime),
            "type": task.type, "id": task.id, "user": task.user, "status": task.finished ? "stopped" : "running",
        ]
        if task.finished { status["exitstatus"] = task.exitStatus }
        return status
    }

    /// `GET …/tasks/{upid}/log`: the lines so far (all of them once it has stopped).
    func taskLog(node: String, upid: String, _ params: SimParameters) throws(SimAPIError) -> [[String: Any]] {
        let task = try task(node: node, upid: upid)
        let lines = task.finished ? task.log : Array(task.log.dropLast())
        let start = max(0, try params.int("start") ?? 0)
        let limit = max(0, try params.int("limit") ?? 50)
        return lines.enumerated().dropFirst(start).prefix(limit).map { ["n": $0.offset + 1, "t": $0.element] }
    }

    private func task(node: String, upid: String) throws(SimAPIError) -> SimTask {
        guard upid.hasPrefix("UPID:") else { throw .parameter("upid", "unable to parse worker upid '\(upid)'") }
        guard let task = tasks[upid], task.node == node else { throw .failure("no such task") }
        return task
    }
}
