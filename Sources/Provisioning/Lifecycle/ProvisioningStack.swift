import LabCore
import Logging

/// The provisioning one process runs — the lifecycle that does the work, the operations
/// that ask for it, the reconciler that repairs it — built one way for `serve`, `worker`,
/// `simulate` and the tests.
public struct ProvisioningStack: Sendable {
    public let lifecycle: LabLifecycle
    public let operations: LabOperations
    public let reconciler: Reconciler
    /// The environments' checks, run in students' labs.
    public let checks: CheckRunner

    /// - Parameters:
    ///   - lock: where new labs under a quota take turns; the backends' ephemeral store
    ///     wherever quotas must hold (nil: no quotas, a simulation).
    ///   - audit: the trail with the wiring's policy (nil: events that cannot be written are dropped).
    ///   - reconcileLockTTL: how long one reconciler's lock lasts without being renewed.
    ///   - notices: told when a student's new lab is ready (nil: nobody is told).
    ///   - groups: the courses' groups, for team labs (nil: such labs fail, saying so).
    public init(
        proxmox: ProxmoxClient, repositories: Repositories, ephemeral: any EphemeralStore, queue: any JobQueue, desktops: any RemoteDesktops,
        settings: ProvisioningSettings, lock: (any EphemeralStore)? = nil, audit: AuditTrail? = nil, reconcileLockTTL: Duration = .seconds(180),
        notices: (any LabNotices)? = nil, groups: (any CourseGroups)? = nil, clock: any WallClock = SystemClock(), logger: Logger
    ) {
        lifecycle = LabLifecycle(
            proxmox: proxmox, repositories: repositories, ephemeral: ephemeral, desktops: desktops, settings: settings, notices: notices,
            groups: groups, clock: clock, logger: logger)
        operations = LabOperations(repositories: repositories, queue: queue, lock: lock, audit: audit, clock: clock)
        reconciler = Reconciler(
            lifecycle: lifecycle, operations: operations, preparer: ClassPreparer(lifecycle: lifecycle, operations: operations, repositories: repositories),
            lockTTL: reconcileLockTTL)
        checks = CheckRunner(
            proxmox: proxmox, ephemeral: ephemeral, runs: repositories.checkRuns, audit: audit, interval: settings.checkInterval,
            pollInterval: settings.pollInterval, clock: clock)
    }

    /// What each job kind of provisioning does, for a worker.
    public var jobs: [String: @Sendable (Job) async throws -> Void] {
        [Job.advanceLabInstanceKind: { [lifecycle] job in try await lifecycle.advance(LabInstanceID(job.payload)) }]
    }

    /// What a dead-lettered job of each kind leaves behind is ended here: a lab whose job
    /// will not come back fails with the job's last error, whatever state it waited in.
    public var deadLetters: [String: @Sendable (Job, String) async throws -> Void] {
        [Job.advanceLabInstanceKind: { [lifecycle] job, reason in _ = try await lifecycle.abandon(LabInstanceID(job.payload), reason: reason) }]
    }
}
