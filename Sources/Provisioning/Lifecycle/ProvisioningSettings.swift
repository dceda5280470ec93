/// How LabGate provisions: where VMIDs come from, how hard nodes may be pushed, how long
/// each wait may last, and how the reconciler treats what it finds.
public struct ProvisioningSettings: Sendable, Hashable {
    /// VMIDs LabGate may give its clones; nothing outside it is ever touched as LabGate's.
    public var vmidRange: ClosedRange<Int>
    /// Clones one node may run at once.
    public var maxClonesPerNode: Int
    /// Clones one storage may take at once (Proxmox locks a storage while it clones to it).
    public var maxClonesPerStorage: Int
    /// The pool clones go into unless their environment names another.
    public var defaultPool: String
    /// The Proxmox tag on every clone: how the reconciler recognizes LabGate's VMs.
    public var tag: String
    /// The share of a node's memory clones may fill.
    public var memoryCeiling: Double
    public var cloneTimeout: Duration
    /// How long start, stop, snapshot, rollback and destroy tasks may take.
    public var taskTimeout: Duration
    /// How long a started VM has to report its address through the guest agent.
    public var addressTimeout: Duration
    /// How often the guest agent is asked, and how often a busy node is looked at again.
    public var pollInterval: Duration
    /// How long a clone waits for a free slot before its job is retried later.
    public var slotWait: Duration
    /// Attempts of a step that fails transiently before the instance fails.
    public var maxStepAttempts: Int
    /// How long a worker's hold on an instance outlives the worker: the holder renews it every
    /// third of this, so another worker takes over this long after it dies.
    public var instanceLease: Duration
    /// How long a VM that looks like LabGate's but has no record may live before it is destroyed.
    public var orphanGrace: Duration
    /// How long an instance may sit in a transient state before the reconciler starts it moving again.
    public var stuckAfter: Duration
    /// The least time between two runs of one lab's checks ("Check my work").
    public var checkInterval: Duration
    /// The jobs a worker runs at once (`worker.concurrency`): a class's prepared labs power on
    /// in waves that leave an eighth of them to live launches.
    public var workerJobs: Int

    public init(
        vmidRange: ClosedRange<Int> = 100_000...199_999, maxClonesPerNode: Int = 4, maxClonesPerStorage: Int = 8,
        defaultPool: String = "labgate", tag: String = "labgate", memoryCeiling: Double = 0.9,
        cloneTimeout: Duration = .seconds(900), taskTimeout: Duration = .seconds(300), addressTimeout: Duration = .seconds(300),
        pollInterval: Duration = .seconds(1), slotWait: Duration = .seconds(120), maxStepAttempts: Int = 5,
        instanceLease: Duration = .seconds(30), orphanGrace: Duration = .seconds(600), stuckAfter: Duration = .seconds(900),
        checkInterval: Duration = .seconds(60), workerJobs: Int = 64
    ) {
        self.workerJobs = workerJobs
        self.vmidRange = vmidRange
        self.maxClonesPerNode = maxClonesPerNode
        self.maxClonesPerStorage = maxClonesPerStorage
        self.defaultPool = defaultPool
        self.tag = tag
        self.memoryCeiling = memoryCeiling
        self.cloneTimeout = cloneTimeout
        self.taskTimeout = taskTimeout
        self.addressTimeout = addressTimeout
        self.pollInterval = pollInterval
        self.slotWait = slotWait
        self.maxStepAttempts = maxStepAttempts
        self.instanceLease = instanceLease
        self.orphanGrace = orphanGrace
        self.stuckAfter = stuckAfter
        self.checkInterval = checkInterval
    }
}
