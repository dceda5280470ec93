import Foundation

extension SimCluster {
    /// Answers one API call (path below `/api2/json`) as `token`: the `data` of PVE's answer,
    /// and whether the faults in force cut the connection before that answer arrives.
    func handle(method: String, path: [String], params: SimParameters, token: SimTokenSpec) throws(SimAPIError) -> (data: Any, cut: Bool) {
        let outcome = withCurrentState { state, now -> Result<(Any, Bool), SimAPIError> in
            do throws(SimAPIError) {
                let trouble = state.trouble(method: method, path: "/" + path.joined(separator: "/"))
                switch trouble {
                case .unreachable?: throw .unreachable(path.count > 1 ? path[1] : "")
                case .lockTimeout?:
                    throw .failure("can't lock file '/var/lock/qemu-server/lock-\(path.count > 3 ? path[3] : "0").conf' - got timeout")
                case .agentSilent?: throw .failure("QEMU guest agent is not running")
                case .taskFailure?: state.failTasks = true
                case .connectionReset?, nil: break
                }
                defer { state.failTasks = false }
                let data = try Self.route(&state, method: method, path: path, params: params, token: token, now: now)
                return .success((data, trouble == .connectionReset))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    private static func route(
        _ state: inout SimState, method: String, path: [String], params: SimParameters, token: SimTokenSpec, now: Double
    ) throws(SimAPIError) -> Any {
        let user = token.id
        func allow(_ privilege: String, _ object: String) throws(SimAPIError) {
            if let granted = token.privileges, !granted.contains(privilege) { throw .permission(object, privilege) }
        }
        func vmid(_ text: String) throws(SimAPIError) -> Int {
            guard let id = Int(text), (100...999_999_999).contains(id) else {
                throw .parameter("vmid", "type check ('integer') failed - got '\(text)'")
            }
            return id
        }
        switch (method, path) {
        case ("GET", ["version"]):
            return ["version": "9.1.3", "release": "9.1", "repoid": "labgatesim"]
        case ("GET", ["nodes"]):
            return state.nodes(now: now)
        case ("GET", ["cluster", "resources"]):
            // PVE answers 200 for everyone here and leaves out each guest the caller may not audit.
            return try state.resources(type: params["type"], now: now, listingVMs: token.privileges?.contains("VM.Audit") ?? true)
        case ("GET", ["cluster", "nextid"]):
            return try state.nextID(params)
        case ("GET", ["pools"]):
            return try state.pools(params)
        case ("POST", ["pools"]):
            try allow("Pool.Allocate", "/pool/\(params["poolid"] ?? "")")
            try state.createPool(params)
            return NSNull()
        default:
            break
        }
        guard path.count >= 3, path[0] == "nodes" else { throw .notImplemented }
        let node = path[1]
        try state.reachable(node)
        let rest = Array(path.dropFirst(2))
        if rest == ["storage"], method == "GET" { return state.storages(node: node) }
        if rest.count == 3, rest[0] == "tasks", method == "GET" {
            switch rest[2] {
            case "status": return try state.taskStatus(node: node, upid: rest[1])
            case "log": return try state.taskLog(node: node, upid: rest[1], params)
            default: throw .notImplemented
            }
        }
        guard rest.count >= 2, rest[0] == "qemu" else { throw .notImplemented }
        let id = try vmid(rest[1])
        let object = "/vms/\(id)"
        switch (method, Array(rest.dropFirst(2))) {
        case ("DELETE", []):
            try allow("VM.Allocate", object)
            return try state.destroy(node: node, vmid: id, user: user, now: now)
        case ("POST", ["clone"]):
            try allow("VM.Clone", object)
            try allow("VM.Allocate", "/vms/\(params["newid"] ?? "")")
            return try state.clone(node: node, vmid: id, params, user: user, now: now)
        case ("GET", ["config"]):
            try allow("VM.Audit", object)
            return try state.config(node: node, vmid: id)
        case ("POST", ["config"]), ("PUT", ["config"]):
            for privilege in Set(params.values.keys.map(Self.privilege(forConfigKey:))) { try allow(privilege, object) }
            try state.updateConfig(node: node, vmid: id, params)
            return method == "POST"
                ? state.startTask(
                    node: node, type: "qmconfig", id: id, user: user, now: now, duration: 0, effect: .none, log: [],
                    exitStatus: "OK", failureText: "")
                : NSNull()
        case ("GET", ["status", "current"]):
            try allow("VM.Audit", object)
            return try state.currentStatus(node: node, vmid: id, now: now)
        case ("POST", ["status", "start"]):
            try allow("VM.PowerMgmt", object)
            return try state.start(node: node, vmid: id, user: user, now: now)
        case ("POST", ["status", "stop"]), ("POST", ["status", "shutdown"]):
            try allow("VM.PowerMgmt", object)
            return try state.stop(node: node, vmid: id, graceful: rest.last == "shutdown", user: user, now: now)
        case ("GET", ["agent", "network-get-interfaces"]):
            try allow("VM.GuestAgent.Audit", object)
            return try state.interfaces(node: node, vmid: id, now: now)
        case ("POST", ["agent", "exec"]):
            try allow("VM.GuestAgent.Unrestricted", object)
            return try state.exec(node: node, vmid: id, params, now: now)
        case ("POST", ["agent", "set-user-password"]):
            try allow("VM.GuestAgent.Unrestricted", object)
            return try state.setUserPassword(node: node, vmid: id, params, now: now)
        case ("GET", ["agent", "exec-status"]):
            try allow("VM.GuestAgent.Unrestricted", object)
            return try state.execStatus(node: node, vmid: id, params, now: now)
        case ("GET", ["rrddata"]):
            try allow("VM.Audit", object)
            return try state.rrddata(node: node, vmid: id, params, now: now)
        case ("GET", ["snapshot"]):
            try allow("VM.Audit", object)
            return try state.snapshots(node: node, vmid: id)
        case ("POST", ["snapshot"]):
            try allow("VM.Snapshot", object)
            return try state.snapshot(node: node, vmid: id, params, user: user, now: now)
        case ("POST", let tail) where tail.count == 3 && tail[0] == "snapshot" && tail[2] == "rollback":
            try allow("VM.Snapshot.Rollback", object)
            return try state.rollback(node: node, vmid: id, name: tail[1], params, user: user, now: now)
        case ("DELETE", let tail) where tail.count == 2 && tail[0] == "snapshot":
            try allow("VM.Snapshot", object)
            return try state.deleteSnapshot(node: node, vmid: id, name: tail[1], user: user, now: now)
        default:
            throw .notImplemented
        }
    }

    /// The privilege PVE asks for to change one configuration key.
    static func privilege(forConfigKey key: String) -> String {
        switch key {
        case "cores", "sockets", "cpu": "VM.Config.CPU"
        case "memory", "balloon": "VM.Config.Memory"
        case let k where k.hasPrefix("net"): "VM.Config.Network"
        case let k where k.hasPrefix("ci") || k.hasPrefix("ipconfig") || k == "sshkeys" || k == "nameserver" || k == "searchdomain":
            "VM.Config.Cloudinit"
        default: "VM.Config.Options"
        }
    }
}
