/// What asking for a clone led to.
public enum CloneStart: Sendable, Hashable {
    /// PVE started the clone task.
    case started(UPID)
    /// The answer was lost, but the VM exists: an earlier attempt created it on `node`.
    case alreadyExists(node: String)
}

/// The options of a clone, as `POST …/clone` takes them.
public struct CloneRequest: Sendable, Hashable {
    public var newID: Int
    public var name: String?
    /// A full copy; otherwise a linked clone, which needs a template.
    public var full: Bool
    public var targetNode: String?
    public var storage: String?
    public var pool: String?
    public var description: String?

    public init(
        newID: Int, name: String? = nil, full: Bool = false, targetNode: String? = nil, storage: String? = nil,
        pool: String? = nil, description: String? = nil
    ) {
        self.newID = newID
        self.name = name
        self.full = full
        self.targetNode = targetNode
        self.storage = storage
        self.pool = pool
        self.description = description
    }
}

extension ProxmoxClient {
    /// Clones `vmid` on `node`. Never sent twice blindly: after a failure that may have
    /// reached PVE it first looks whether the new VM exists.
    public func clone(node: String, vmid: Int, _ request: CloneRequest) async throws(ProxmoxError) -> CloneStart {
        var params = ProxmoxParameters()
        params.set("newid", request.newID)
        params.set("name", request.name)
        params.set("full", request.full)
        params.set("target", request.targetNode)
        params.set("storage", request.full ? request.storage : nil)
        params.set("pool", request.pool)
        params.set("description", request.description)
        var attempt = 1
        while true {
            do {
                return .started(try await call(.POST, Self.qemu(node, vmid) + "/clone", params, idempotent: false, maxAttempts: 1))
            } catch .api(_, let message) where message.contains("already exists") {
                throw .vmidTaken(request.newID)
            } catch let error where error.isTransient && attempt < settings.retry.maxAttempts {
                if !error.certainlyNotApplied, let existing = try await guest(vmid: request.newID) {
                    return .alreadyExists(node: existing.node ?? request.targetNode ?? node)
                }
                try? await Task.sleep(for: settings.retry.delay(after: attempt))
                attempt += 1
            }
        }
    }

    /// The VM's configuration, values as text.
    public func config(node: String, vmid: Int) async throws(ProxmoxError) -> [String: String] {
        let raw: [String: LenientText] = try await call(.GET, Self.qemu(node, vmid) + "/config", idempotent: true)
        return raw.mapValues(\.text)
    }

    /// Changes the configuration synchronously (`PUT`). Setting a key twice is harmless.
    public func updateConfig(node: String, vmid: Int, _ params: ProxmoxParameters) async throws(ProxmoxError) {
        _ = try await call(.PUT, Self.qemu(node, vmid) + "/config", params, idempotent: true, as: PVENothing?.self)
    }

    /// Changes the configuration asynchronously (`POST`), as PVE wants for changes that
    /// take a while (disks); returns the task to wait for, if PVE started one.
    public func updateConfigAsync(node: String, vmid: Int, _ params: ProxmoxParameters) async throws(ProxmoxError) -> UPID? {
        try await call(.POST, Self.qemu(node, vmid) + "/config", params, idempotent: true, as: UPID?.self)
    }

    public func status(node: String, vmid: Int) async throws(ProxmoxError) -> PVEVMStatus {
        try await call(.GET, Self.qemu(node, vmid) + "/status/current", idempotent: true)
    }

    /// The VM's last hour, a point a minute (`rrddata`, averages), oldest first.
    public func lastHour(node: String, vmid: Int) async throws(ProxmoxError) -> [PVEMetricPoint] {
        var params = ProxmoxParameters()
        params.set("timeframe", "hour")
        params.set("cf", "AVERAGE")
        let points: [PVEMetricPoint] = try await call(.GET, Self.qemu(node, vmid) + "/rrddata", params, idempotent: true)
        return points.sorted { $0.time < $1.time }
    }

    public func start(node: String, vmid: Int) async throws(ProxmoxError) -> UPID {
        try await call(.POST, Self.qemu(node, vmid) + "/status/start", idempotent: false)
    }

    /// Powers off at once.
    public func stop(node: String, vmid: Int) async throws(ProxmoxError) -> UPID {
        try await call(.POST, Self.qemu(node, vmid) + "/status/stop", idempotent: true)
    }

    /// Asks the guest to shut down (ACPI), and powers it off if it has not after `timeoutSeconds`.
    public func shutdown(node: String, vmid: Int, timeoutSeconds: Int = 60) async throws(ProxmoxError) -> UPID {
        var params = ProxmoxParameters()
        params.set("timeout", timeoutSeconds)
        params.set("forceStop", true)
        return try await call(.POST, Self.qemu(node, vmid) + "/status/shutdown", params, idempotent: true)
    }

    /// The guest's interfaces, from the QEMU guest agent (an error until the agent runs).
    public func interfaces(node: String, vmid: Int) async throws(ProxmoxError) -> [PVEGuestInterface] {
        struct Result: Decodable, Sendable { var result: [PVEGuestInterface] }
        return try await call(.GET, Self.qemu(node, vmid) + "/agent/network-get-interfaces", idempotent: true, as: Result.self).result
    }

    /// Starts `command` (program and arguments) in the guest through the agent; answers its PID.
    /// Repeated after a failure only when PVE certainly did not start it.
    public func exec(node: String, vmid: Int, command: [String]) async throws(ProxmoxError) -> Int {
        struct Started: Decodable, Sendable { var pid: LenientNumber }
        var params = ProxmoxParameters()
        params.set("command", each: command)
        return try await call(.POST, Self.qemu(node, vmid) + "/agent/exec", params, idempotent: false, as: Started.self).pid.int
    }

    /// Sets the password of `username` in the running guest through the agent (the way to
    /// change it after cloud-init's first boot). Repeating it sets the same password again.
    public func setUserPassword(node: String, vmid: Int, username: String, password: String) async throws(ProxmoxError) {
        var params = ProxmoxParameters()
        params.set("username", username)
        params.set("password", password)
        struct Answer: Decodable, Sendable {}
        let _: Answer = try await call(.POST, Self.qemu(node, vmid) + "/agent/set-user-password", params, idempotent: true, maxAttempts: 2)
    }

    /// Whether the command with `pid` has exited, and how. After it reports an exit the agent forgets the PID.
    public func execStatus(node: String, vmid: Int, pid: Int) async throws(ProxmoxError) -> PVEExecStatus {
        var params = ProxmoxParameters()
        params.set("pid", pid)
        return try await call(.GET, Self.qemu(node, vmid) + "/agent/exec-status", params, idempotent: true)
    }

    /// The VM's snapshots, without the `current` pseudo-entry.
    public func snapshots(node: String, vmid: Int) async throws(ProxmoxError) -> [PVESnapshot] {
        let all: [PVESnapshot] = try await call(.GET, Self.qemu(node, vmid) + "/snapshot", idempotent: true)
        return all.filter { $0.name != "current" }
    }

    public func snapshot(node: String, vmid: Int, name: String, description: String? = nil) async throws(ProxmoxError) -> UPID {
        var params = ProxmoxParameters()
        params.set("snapname", name)
        params.set("description", description)
        return try await call(.POST, Self.qemu(node, vmid) + "/snapshot", params, idempotent: false)
    }

    public func rollback(node: String, vmid: Int, to name: String, start: Bool = false) async throws(ProxmoxError) -> UPID {
        var params = ProxmoxParameters()
        params.set("start", start)
        let path = Self.qemu(node, vmid) + "/snapshot/\(ProxmoxParameters.percentEncoded(name))/rollback"
        return try await call(.POST, path, params, idempotent: false)
    }

    public func deleteSnapshot(node: String, vmid: Int, name: String) async throws(ProxmoxError) -> UPID {
        try await call(.DELETE, Self.qemu(node, vmid) + "/snapshot/\(ProxmoxParameters.percentEncoded(name))", idempotent: false)
    }

    /// Destroys the VM with its disks and every reference to it (jobs, ACLs, pools).
    public func destroy(node: String, vmid: Int) async throws(ProxmoxError) -> UPID {
        var params = ProxmoxParameters()
        params.set("purge", true)
        params.set("destroy-unreferenced-disks", true)
        return try await call(.DELETE, Self.qemu(node, vmid), params, idempotent: false)
    }
}

/// A configuration value PVE may send as a string or a number.
private struct LenientText: Decodable, Sendable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else {
            text = String(try container.decode(Double.self))
        }
    }
}
