import Foundation
import LabCore
import Logging

/// Moves lab instances through their states, one idempotent step at a time, against
/// Proxmox. Every identifier a step waits on (VMID, node, task UPID) is saved before the
/// wait, so when a worker dies any other worker resumes the instance where it stood.
///
/// One worker at a time holds an instance (a lease in the ephemeral store); a change made
/// meanwhile (a stop, a delete) shows up as a version conflict on its next save, and the
/// holder simply reloads and carries on from the new state.
public struct LabLifecycle: Sendable {
    public let proxmox: ProxmoxClient
    public let settings: ProvisioningSettings
    let instances: any LabInstanceRepository
    let environments: any EnvironmentRepository
    let courses: any CourseRepository
    let reservations: any ResourceReservations
    let checkpoints: any LabCheckpointRepository
    let classSessions: any ClassSessionRepository
    let ephemeral: any EphemeralStore
    /// Where a ready instance is published for its student (Guacamole's records).
    let desktops: any RemoteDesktops
    let clock: any WallClock
    let logger: Logger
    /// Wakes this process's clones waiting for a slot when one of its clones frees one.
    let slotReleases = SlotReleaseSignal()
    /// Runs after each saved step: a test stops a worker there, as if its process died.
    public var afterStep: (@Sendable (LabInstance) async throws -> Void)?
    /// Told when a new lab is ready, so a student who stopped watching hears of it.
    let notices: (any LabNotices)?
    /// Where team labs learn their student's group (nil: no platform to ask).
    let groups: (any CourseGroups)?

    public init(
        proxmox: ProxmoxClient, repositories: Repositories, ephemeral: any EphemeralStore, desktops: any RemoteDesktops,
        settings: ProvisioningSettings, notices: (any LabNotices)? = nil, groups: (any CourseGroups)? = nil, clock: any WallClock = SystemClock(),
        logger: Logger
    ) {
        self.proxmox = proxmox
        self.notices = notices
        self.groups = groups
        self.settings = settings
        self.instances = repositories.instances
        self.environments = repositories.environments
        self.courses = repositories.courses
        self.reservations = repositories.reservations
        self.checkpoints = repositories.checkpoints
        self.classSessions = repositories.classSessions
        self.ephemeral = ephemeral
        self.desktops = desktops
        self.clock = clock
        self.logger = logger
    }

    /// Works on the instance until it rests (ready, stopped, deleted, failed). Returns without
    /// working if another, live worker holds it: that worker sees every change. Throws on
    /// transient trouble, so the job comes back later; permanent trouble fails the instance instead.
    public func advance(_ id: LabInstanceID) async throws {
        let holder = LabInstanceID.random().rawValue
        guard try await takeLease(of: id, as: holder) else {
            logger.debug("instance held by another worker", metadata: ["instance": .string(id.rawValue)])
            return
        }
        do {
            guard try await renewingLease(of: id, as: holder, { try await run(id, holder: holder) }) else {
                logger.notice("another worker took over a lab instance this one held too long", metadata: ["instance": .string(id.rawValue)])
                return
            }
        } catch {
            // A cancelled worker is going away mid-step: its lease expires instead, as a crashed one's would.
            if !Task.isCancelled { _ = try? await ephemeral.delete(Self.leaseKey(id)) }
            throw error
        }
        try await ephemeral.delete(Self.leaseKey(id))
        // A change saved between the last look and the release was left to this worker.
        if let instance = try await instances.find(id: id), !instance.state.isResting {
            try await advance(id)
        }
    }

    /// Takes the instance's lease for `holder`, waiting while another worker holds it. A live
    /// holder renews its lease, so it still stands after a whole `instanceLease`: false, that
    /// worker carries on. A dead one's lapses within that time, and its work is taken over here,
    /// at once, rather than when the reconciler finds the instance quiet.
    private func takeLease(of id: LabInstanceID, as holder: String) async throws -> Bool {
        let deadline = ContinuousClock.now + settings.instanceLease + settings.pollInterval
        while true {
            if try await ephemeral.setIfAbsent(Self.leaseKey(id), to: holder, ttl: settings.instanceLease) { return true }
            guard ContinuousClock.now < deadline else { return false }
            // Often enough to take over soon after the holder lets go, rarely enough not to crowd the store.
            try await Task.sleep(for: min(settings.instanceLease / 10, .milliseconds(250)))
        }
    }

    /// Runs `work` while renewing the lease every third of its time to live, so that it lapses
    /// soon after this worker dies, however long one step waits (for a clone slot, a clone, an
    /// address). The lease is never written by anyone but its holder.
    private func renewingLease<T: Sendable>(of id: LabInstanceID, as holder: String, _ work: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: settings.instanceLease / 3)
                    // A store that does not answer now may answer at the next beat; the lease outlives two misses.
                    guard (try? await ephemeral.replace(Self.leaseKey(id), ifHolding: holder, with: holder, ttl: settings.instanceLease)) != false
                    else { return }
                }
            }
            defer { group.cancelAll() }
            return try await work()
        }
    }

    /// Steps the instance until it rests; false if its lease passed to another worker meanwhile
    /// (this one stalled past its expiry), which then carries on alone.
    private func run(_ id: LabInstanceID, holder: String) async throws -> Bool {
        while let instance = try await instances.find(id: id), !instance.state.isResting {
            // Renewed, or taken again if it lapsed with nobody else taking it (a heartbeat came late).
            let key = Self.leaseKey(id)
            if try await !ephemeral.replace(key, ifHolding: holder, with: holder, ttl: settings.instanceLease) {
                guard try await ephemeral.setIfAbsent(key, to: holder, ttl: settings.instanceLease) else { return false }
            }
            do {
                // The state is a step of its own, so every failure in it counts toward giving up,
                // also those outside the inner steps (placement's calls, a slot that never frees).
                let saved = try await stepping(instance.state.rawValue, of: instance) { _, _ in try await step(instance) }
                try await afterStep?(saved)
            } catch StoreError.conflict {
                continue
            } catch {
                guard let reason = try await permanentReason(for: error, of: instance) else { throw error }
                logger.warning(
                    "lab instance failed", metadata: ["instance": .string(id.rawValue), "state": .string(instance.state.rawValue), "reason": .string(reason)])
                try await fail(id, reason: reason)
            }
        }
        return true
    }

    /// The step for the instance's state; returns the instance as saved after it.
    private func step(_ instance: LabInstance) async throws -> LabInstance {
        switch instance.state {
        case .requested: try await prepare(instance)
        case .allocating: try await allocate(instance)
        case .cloning: try await cloneVM(instance)
        case .configuring: try await configure(instance)
        case .starting: try await startVM(instance)
        case .waitingForAddress: try await awaitAddress(instance)
        case .stopping: try await stopVM(instance)
        case .resetting: try await resetVM(instance)
        case .checkpointing: try await checkpointVM(instance)
        case .claiming: try await claimVM(instance)
        case .deleting: try await deleteVM(instance)
        case .ready, .stopped, .deleted, .failed: instance
        }
    }

    /// Why `error` ends the instance, or nil if it is worth another try later: transient
    /// trouble is tried again until the state's step has failed `maxStepAttempts` times.
    private func permanentReason(for error: any Error, of instance: LabInstance) async throws -> String? {
        let transient: Bool
        switch error {
        case let error as ProxmoxError: transient = error.isTransient
        case ProvisioningError.noCapacity: transient = true
        case let error as CourseGroupsError: transient = error.isTransient
        case is ProvisioningError: return "\(error)"
        default: return nil
        }
        guard transient else { return "\(error)" }
        let state = instance.state.rawValue
        guard let step = try await instances.steps(of: instance.id).first(where: { $0.name == state }),
            step.outcome == .failed, step.attempt >= settings.maxStepAttempts
        else { return nil }
        return "\(ProvisioningError.gaveUp(step: state, attempts: step.attempt, lastError: step.error ?? "\(error)"))"
    }

    /// Fails the instance with `reason` unless it rests already: what a job that will not be
    /// delivered again, or a wait with no progress, leaves behind. Returns whether it failed it.
    @discardableResult
    public func abandon(_ id: LabInstanceID, reason: String) async throws -> Bool {
        guard let instance = try await instances.find(id: id), !instance.state.isResting else { return false }
        logger.warning(
            "lab instance abandoned", metadata: ["instance": .string(id.rawValue), "state": .string(instance.state.rawValue), "reason": .string(reason)])
        try await fail(id, reason: reason)
        return true
    }

    /// Cleans up what the instance created, then marks it failed with `reason`. If the
    /// cleanup cannot finish now, the instance keeps its VMID and the reconciler finishes it.
    /// A lab whose checkpoint's work cannot finish loses that checkpoint, not itself.
    func fail(_ id: LabInstanceID, reason: String) async throws {
        for _ in 0..<3 {
            guard var instance = try await instances.find(id: id), ![.failed, .deleted].contains(instance.state) else { return }
            if instance.state == .checkpointing {
                do {
                    return try await giveUpCheckpoints(of: instance, reason: reason)
                } catch StoreError.conflict {
                    continue
                }
            }
            do {
                try await removeVM(of: instance)
                instance.vmid = nil
                instance.companionVMIDs = []
                instance.node = nil
            } catch {
                logger.error(
                    "cannot clean up a failed lab instance yet; the reconciler will",
                    metadata: ["instance": .string(id.rawValue), "error": .string("\(error)")])
            }
            instance.address = nil
            try instance.transition(to: .failed, at: clock.now(), reason: reason)
            do {
                _ = try await instances.save(instance)
                return
            } catch StoreError.conflict {
                continue
            }
        }
        throw StoreError.conflict("lab instance \(id) keeps changing; it will be failed on the next attempt")
    }

    /// The environment the instance was made from.
    func specification(of instance: LabInstance) async throws -> EnvironmentSpec {
        guard let environment = try await environments.find(id: instance.environmentID) else {
            throw ProvisioningError.unknownEnvironment(instance.environmentID.rawValue)
        }
        let spec = try EnvironmentSpec.decode(environment)
        guard let course = instance.courseID else { return spec }
        return spec.applying(try await courses.settings(of: course))
    }

    var slots: CloneSlots {
        CloneSlots(
            store: ephemeral, perNode: settings.maxClonesPerNode, perStorage: settings.maxClonesPerStorage,
            ttl: settings.cloneTimeout + settings.slotWait, releases: slotReleases)
    }

    static func leaseKey(_ id: LabInstanceID) -> String { "instance-lease:\(id)" }
}
