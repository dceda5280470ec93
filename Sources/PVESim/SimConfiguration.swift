import Foundation

/// What a simulated Proxmox VE cluster consists of and how fast it works, read from
/// `labgate pve-sim --config FILE` or built by tests. Durations are in simulated seconds;
/// `timeScale` says how many simulated seconds pass in one real second.
public struct SimConfiguration: Sendable, Codable {
    public var timeScale: Double
    public var nodes: [SimNodeSpec]
    public var storages: [SimStorageSpec]
    public var templates: [SimTemplateSpec]
    public var pools: [String]
    public var tokens: [SimTokenSpec]
    public var durations: SimDurations
    public var faults: SimFaults
    /// How commands run through the guest agent turn out.
    public var guestCommands: [SimGuestCommand]
    /// How busy new clones are while they run (`rrddata`); a student at work when absent.
    public var guestLoad: SimGuestLoad

    public init(
        timeScale: Double = 1, nodes: [SimNodeSpec], storages: [SimStorageSpec], templates: [SimTemplateSpec],
        pools: [String] = [], tokens: [SimTokenSpec], durations: SimDurations = .init(), faults: SimFaults = .init(),
        guestCommands: [SimGuestCommand] = []
    ) {
        self.timeScale = timeScale
        self.nodes = nodes
        self.storages = storages
        self.templates = templates
        self.pools = pools
        self.tokens = tokens
        self.durations = durations
        self.faults = faults
        self.guestCommands = guestCommands
        self.guestLoad = .working
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeScale = try c.decodeIfPresent(Double.self, forKey: .timeScale) ?? 1
        nodes = try c.decode([SimNodeSpec].self, forKey: .nodes)
        storages = try c.decode([SimStorageSpec].self, forKey: .storages)
        templates = try c.decodeIfPresent([SimTemplateSpec].self, forKey: .templates) ?? []
        pools = try c.decodeIfPresent([String].self, forKey: .pools) ?? []
        tokens = try c.decode([SimTokenSpec].self, forKey: .tokens)
        durations = try c.decodeIfPresent(SimDurations.self, forKey: .durations) ?? .init()
        faults = try c.decodeIfPresent(SimFaults.self, forKey: .faults) ?? .init()
        guestCommands = try c.decodeIfPresent([SimGuestCommand].self, forKey: .guestCommands) ?? []
        guestLoad = try c.decodeIfPresent(SimGuestLoad.self, forKey: .guestLoad) ?? .working
    }

    /// A small cluster for the demo and tests: `nodeCount` nodes sharing one storage that
    /// holds template 9000, plus a local storage per node.
    public static func small(nodeCount: Int = 2, token: SimTokenSpec, timeScale: Double = 1) -> SimConfiguration {
        let names = (1...max(1, nodeCount)).map { "pve\($0)" }
        return SimConfiguration(
            timeScale: timeScale,
            nodes: names.enumerated().map { SimNodeSpec(name: $1, cores: 32, memoryMiB: 131_072, subnet: "198.18.\($0 + 1).0/24") },
            storages: [SimStorageSpec(id: "shared", shared: true, nodes: names, maxConcurrentClones: 4)]
                + names.map { SimStorageSpec(id: "local-\($0)", shared: false, nodes: [$0], maxConcurrentClones: 2) },
            templates: [SimTemplateSpec(vmid: 9000, name: "debian-desktop", node: names[0], storage: "shared")],
            pools: ["labgate"],
            tokens: [token])
    }
}

/// A node of the simulated cluster and the subnet its VMs get addresses from.
public struct SimNodeSpec: Sendable, Codable {
    public var name: String
    public var cores: Int
    public var memoryMiB: Int
    /// IPv4 CIDR; the guest agent reports addresses from it.
    public var subnet: String
    /// Overrides the storage's clone duration for clones made on this node.
    public var cloneSeconds: Double?

    public init(name: String, cores: Int = 32, memoryMiB: Int = 131_072, subnet: String, cloneSeconds: Double? = nil) {
        self.name = name
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.subnet = subnet
        self.cloneSeconds = cloneSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        cores = try c.decodeIfPresent(Int.self, forKey: .cores) ?? 32
        memoryMiB = try c.decodeIfPresent(Int.self, forKey: .memoryMiB) ?? 131_072
        subnet = try c.decode(String.self, forKey: .subnet)
        cloneSeconds = try c.decodeIfPresent(Double.self, forKey: .cloneSeconds)
    }
}

/// A storage; a shared one is reachable from every node in `nodes`.
public struct SimStorageSpec: Sendable, Codable {
    public var id: String
    public var shared: Bool
    public var nodes: [String]
    /// More clones than this at once wait for the storage lock, and time out as PVE does.
    public var maxConcurrentClones: Int
    public var linkedCloneSeconds: Double
    public var fullCloneSeconds: Double

    public init(
        id: String, shared: Bool, nodes: [String], maxConcurrentClones: Int = 4,
        linkedCloneSeconds: Double = 8, fullCloneSeconds: Double = 60
    ) {
        self.id = id
        self.shared = shared
        self.nodes = nodes
        self.maxConcurrentClones = maxConcurrentClones
        self.linkedCloneSeconds = linkedCloneSeconds
        self.fullCloneSeconds = fullCloneSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        shared = try c.decodeIfPresent(Bool.self, forKey: .shared) ?? false
        nodes = try c.decode([String].self, forKey: .nodes)
        maxConcurrentClones = try c.decodeIfPresent(Int.self, forKey: .maxConcurrentClones) ?? 4
        linkedCloneSeconds = try c.decodeIfPresent(Double.self, forKey: .linkedCloneSeconds) ?? 8
        fullCloneSeconds = try c.decodeIfPresent(Double.self, forKey: .fullCloneSeconds) ?? 60
    }
}

/// A VM template to clone from.
public struct SimTemplateSpec: Sendable, Codable {
    public var vmid: Int
    public var name: String
    public var node: String
    public var storage: String
    public var cores: Int
    public var memoryMiB: Int

    public init(vmid: Int, name: String, node: String, storage: String, cores: Int = 2, memoryMiB: Int = 2048) {
        self.vmid = vmid
        self.name = name
        self.node = node
        self.storage = storage
        self.cores = cores
        self.memoryMiB = memoryMiB
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vmid = try c.decode(Int.self, forKey: .vmid)
        name = try c.decode(String.self, forKey: .name)
        node = try c.decode(String.self, forKey: .node)
        storage = try c.decode(String.self, forKey: .storage)
        cores = try c.decodeIfPresent(Int.self, forKey: .cores) ?? 2
        memoryMiB = try c.decodeIfPresent(Int.self, forKey: .memoryMiB) ?? 2048
    }
}

/// An API token (`USER@REALM!NAME` and its secret) and the privileges it holds; `nil` holds all.
public struct SimTokenSpec: Sendable, Codable {
    public var id: String
    public var secret: String
    public var privileges: [String]?

    public init(id: String, secret: String, privileges: [String]? = nil) {
        self.id = id
        self.secret = secret
        self.privileges = privileges
    }
}

/// How long the other tasks take, in simulated seconds.
public struct SimDurations: Sendable, Codable {
    public var start: Double = 3
    public var stop: Double = 2
    public var shutdown: Double = 5
    public var snapshot: Double = 2
    public var rollback: Double = 3
    public var destroy: Double = 2
    /// How long a clone waits for a busy storage's lock before failing.
    public var lockTimeout: Double = 10
    /// How long after a start the guest agent begins to answer.
    public var agentDelay: Double = 20

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SimDurations()
        start = try c.decodeIfPresent(Double.self, forKey: .start) ?? d.start
        stop = try c.decodeIfPresent(Double.self, forKey: .stop) ?? d.stop
        shutdown = try c.decodeIfPresent(Double.self, forKey: .shutdown) ?? d.shutdown
        snapshot = try c.decodeIfPresent(Double.self, forKey: .snapshot) ?? d.snapshot
        rollback = try c.decodeIfPresent(Double.self, forKey: .rollback) ?? d.rollback
        destroy = try c.decodeIfPresent(Double.self, forKey: .destroy) ?? d.destroy
        lockTimeout = try c.decodeIfPresent(Double.self, forKey: .lockTimeout) ?? d.lockTimeout
        agentDelay = try c.decodeIfPresent(Double.self, forKey: .agentDelay) ?? d.agentDelay
    }
}

/// Faults to inject, from the configuration or `POST /_sim/faults`.
public struct SimFaults: Sendable, Codable, Equatable {
    /// Nodes that answer 595, as a node the proxy cannot reach does.
    public var downNodes: Set<String> = []
    /// The share of tasks (0…1) that end in `TASK ERROR`.
    public var taskFailureRate: Double = 0
    /// The share of tasks (0…1) that end with `WARNINGS: 1`, which is still success.
    public var taskWarningRate: Double = 0
    /// Added to every API answer, in real milliseconds.
    public var extraLatencyMs: Int = 0
    /// The guest agent never starts answering.
    public var agentNeverReady: Bool = false
    /// Faults of particular calls, each for a number of times or for ever.
    public var calls: [SimCallFault] = []
    /// The share of all calls (0…1) that run into some trouble that fits them (`SimTrouble`).
    public var randomRate: Double = 0
    /// Seeds the draws of `randomRate` and the task rates, so a run can be repeated.
    public var seed: UInt64?

    public init(
        downNodes: Set<String> = [], taskFailureRate: Double = 0, taskWarningRate: Double = 0, extraLatencyMs: Int = 0,
        agentNeverReady: Bool = false, calls: [SimCallFault] = [], randomRate: Double = 0, seed: UInt64? = nil
    ) {
        self.downNodes = downNodes
        self.taskFailureRate = taskFailureRate
        self.taskWarningRate = taskWarningRate
        self.extraLatencyMs = extraLatencyMs
        self.agentNeverReady = agentNeverReady
        self.calls = calls
        self.randomRate = randomRate
        self.seed = seed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        downNodes = try c.decodeIfPresent(Set<String>.self, forKey: .downNodes) ?? []
        taskFailureRate = try c.decodeIfPresent(Double.self, forKey: .taskFailureRate) ?? 0
        taskWarningRate = try c.decodeIfPresent(Double.self, forKey: .taskWarningRate) ?? 0
        extraLatencyMs = try c.decodeIfPresent(Int.self, forKey: .extraLatencyMs) ?? 0
        agentNeverReady = try c.decodeIfPresent(Bool.self, forKey: .agentNeverReady) ?? false
        calls = try c.decodeIfPresent([SimCallFault].self, forKey: .calls) ?? []
        randomRate = try c.decodeIfPresent(Double.self, forKey: .randomRate) ?? 0
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    }
}
