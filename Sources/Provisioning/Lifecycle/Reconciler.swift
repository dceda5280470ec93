import Foundation
import LabCore
import Logging

/// Compares what the database wants with what Proxmox has, and repairs the difference:
/// VMs that vanished, power states that drifted, instances stuck or past their lifetime,
/// failed instances whose VM is still there, running labs of a course whose time window has
/// closed, and orphans (VMs LabGate made that no record holds), destroyed after a grace period. One process reconciles at a time, by a lock
/// with expiry in the ephemeral store and a fencing token checked before each act (`ReconcilerLock`).
public struct Reconciler: Sendable {
    /// What one pass found and did.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        public var vanished = 0
        public var drifted = 0
        public var restarted = 0
        public var expired = 0
        /// Running labs stopped because their course's time window closed.
        public var closed = 0
        /// Running labs paused: left idle, unused after a warning, or past their longest session.
        public var paused = 0
        /// Students warned that their connected lab is unused.
        public var warned = 0
        /// Whether Guacamole's history could not be read, so no lab was paused for idleness.
        public var idleUnread = false
        /// Instances failed because nothing moved them for twice `stuckAfter`.
        public var abandoned = 0
        /// Ready or stopped labs whose VMs Proxmox did not list, left as they were because it left out most of them (`listIsPartial`).
        public var unseen = 0
        public var cleanedUp = 0
        public var orphansWaiting = 0
        public var orphansDestroyed = 0

        public init() {}

        public var description: String {
            "vanished=\(vanished) drifted=\(drifted) restarted=\(restarted) expired=\(expired) closed=\(closed) paused=\(paused) warned=\(warned) "
                + "abandoned=\(abandoned) unseen=\(unseen) cleaned_up=\(cleanedUp) "
                + "orphans_waiting=\(orphansWaiting) orphans_destroyed=\(orphansDestroyed) idle_unread=\(idleUnread)"
        }
    }

    let lifecycle: LabLifecycle
    let operations: LabOperations
    let preparer: ClassPreparer
    let lock: ReconcilerLock

    public init(lifecycle: LabLifecycle, operations: LabOperations, preparer: ClassPreparer, lockTTL: Duration) {
        self.lifecycle = lifecycle
        self.operations = operations
        self.preparer = preparer
        lock = ReconcilerLock(store: lifecycle.ephemeral, fences: preparer.repositories.fencingTokens, ttl: lockTTL, logger: lifecycle.logger)
    }

    /// One pass of the class preparer, if this process (`holder`) gets or keeps the lock; nil when
    /// another holds it, or took it over during the pass.
    public func prepareClasses(holder: String) async throws -> ClassPreparer.Report? {
        guard let term = try await lock.lead(as: holder) else { return nil }
        var report = ClassPreparer.Report()
        guard try await preparer.prepare(into: &report, during: term) else { return superseded(term, report: "\(report)") }
        return report
    }

    /// One pass, if this process (`holder`) gets or keeps the lock; nil when another holds it,
    /// or took it over during the pass.
    public func reconcile(holder: String) async throws -> Report? {
        guard let term = try await lock.lead(as: holder) else { return nil }
        var report = Report()
        let guests = try await lifecycle.proxmox.resources(type: "vm").filter { !$0.isTemplate }
        let byVMID = Dictionary(guests.compactMap { guest in guest.vmid.map { ($0, guest) } }) { first, _ in first }
        let states = Set(LabInstanceState.allCases).subtracting([.deleted])
        let instances = try await lifecycle.instances.list(states: states, limit: 1_000_000)
        let partial = listIsPartial(guests: byVMID, instances: instances)
        let closed = try await closedCourses(running: instances)
        let pauses = await idlePauses(of: instances, into: &report)
        for instance in instances {
            guard try await term.isCurrent() else { return superseded(term, report: "\(report)") }
            do {
                if instance.state == .ready, let reason = pauses[instance.id] {
                    _ = try await operations.pause(instance.id, reason: reason)
                    try await UnusedWarning.clear(for: instance.id, in: lifecycle.ephemeral)
                    report.paused += 1
                    continue
                }
                // A lab prepared for a class is ready before the class's window opens.
                if instance.state == .ready, instance.preparedFor == nil, let course = instance.courseID, closed.contains(course) {
                    _ = try await operations.perform(.stop, on: instance.id)
                    await operations.audit.record(
                        AuditEvent(
                            at: lifecycle.clock.now(), actor: "reconciler", action: "instance.stop", subject: "instance/\(instance.id)",
                            detail: "the course's time window closed", courseID: course))
                    report.closed += 1
                    continue
                }
                try await reconcile(instance, guest: instance.vmid.flatMap { byVMID[$0] }, listIsPartial: partial, into: &report)
            } catch {
                lifecycle.logger.warning(
                    "cannot reconcile a lab instance now", metadata: ["instance": .string(instance.id.rawValue), "error": .string("\(error)")])
            }
        }
        let known = Set(instances.flatMap(\.vmids)).union(try await lifecycle.reservations.list(kind: "vmid").map(\.value))
        for guest in guests {
            guard let vmid = guest.vmid, lifecycle.settings.vmidRange.contains(vmid), !known.contains(vmid) else { continue }
            guard try await term.isCurrent() else { return superseded(term, report: "\(report)") }
            try await handleOrphan(guest, vmid: vmid, into: &report)
        }
        return report
    }

    /// Ends a pass whose term a later holder of the lock has ended: it acts no more. Nil, as for a pass that never led.
    private func superseded<T>(_ term: LeaderTerm, report: String) -> T? {
        lifecycle.logger.notice(
            "another process took over the reconciler's lock during this pass; this one stops acting",
            metadata: ["token": .stringConvertible(term.token), "done": .string(report)])
        return nil
    }

    /// The courses of running labs that are outside all their time windows now; each course's settings read once.
    private func closedCourses(running instances: [LabInstance]) async throws -> Set<CourseID> {
        let now = lifecycle.clock.now()
        var closed = Set<CourseID>()
        for course in Set(instances.filter { $0.state == .ready && $0.preparedFor == nil }.compactMap(\.courseID))
        where !(try await lifecycle.courses.settings(of: course).isOpen(at: now)) {
            closed.insert(course)
        }
        return closed
    }

    /// Whether Proxmox's list of guests leaves out most of the labs' VMs (three or more): then it
    /// is the list that is wrong, not the labs. PVE answers 200 and leaves out each guest the token
    /// may not audit, so a token recreated with privilege separation, or one that lost `VM.Audit`
    /// on the pool, lists none; failing every lab of a class as vanished would end their desktops.
    private func listIsPartial(guests: [Int: PVEResource], instances: [LabInstance]) -> Bool {
        let expected = instances.filter { [.ready, .stopped].contains($0.state) }.compactMap(\.vmid)
        let missing = expected.filter { guests[$0] == nil }.count
        guard missing >= 3, missing * 2 > expected.count else { return false }
        lifecycle.logger.error(
            """
            Proxmox does not list most ready or stopped labs' VMs; they are left as they are, not failed as vanished. If the API token \
            lost VM.Audit on LabGate's pool (or was recreated with privilege separation), give it back; if the VMs were deleted, \
            end those labs with `labgate instance delete`
            """,
            metadata: ["unlisted": .stringConvertible(missing), "labs": .stringConvertible(expected.count)])
        return true
    }

    private func reconcile(_ instance: LabInstance, guest: PVEResource?, listIsPartial: Bool, into report: inout Report) async throws {
        let now = lifecycle.clock.now()
        if let expiry = instance.expiresAt, expiry <= now, ![.deleting, .failed].contains(instance.state) {
            _ = try await operations.perform(.delete, on: instance.id)
            report.expired += 1
            return
        }
        switch instance.state {
        case .failed:
            guard !instance.vmids.isEmpty else { return }
            try await lifecycle.removeVM(of: instance)
            var cleaned = instance
            cleaned.vmid = nil
            cleaned.companionVMIDs = []
            cleaned.node = nil
            _ = try await lifecycle.instances.save(cleaned)
            report.cleanedUp += 1
        case .ready, .stopped:
            guard let guest else {
                if listIsPartial {
                    report.unseen += 1
                    return
                }
                try await lifecycle.fail(instance.id, reason: "its VM \(instance.vmid.map(String.init) ?? "") vanished from Proxmox (deleted outside LabGate?)")
                report.vanished += 1
                return
            }
            if instance.state == .ready, guest.status == "stopped" {
                _ = try await operations.perform(.stop, on: instance.id)
                report.drifted += 1
            } else if instance.state == .stopped, guest.status == "running" {
                _ = try await operations.perform(.start, on: instance.id)
                report.drifted += 1
            }
        default:
            let stuckAfter = lifecycle.settings.stuckAfter.seconds
            guard now.timeIntervalSince(instance.updatedAt) >= stuckAfter else { return }
            // A worker holds it: its lease is renewed while it works and lapses soon after it dies.
            guard try await lifecycle.ephemeral.get(LabLifecycle.leaseKey(instance.id)) == nil else { return }
            // A step tried lately is progress too: a lab waiting its turn for a clone slot retries, it is not stuck.
            let steps = try await lifecycle.instances.steps(of: instance.id)
            let lastTry = steps.map { $0.finishedAt ?? $0.startedAt }.max() ?? instance.updatedAt
            let quiet = now.timeIntervalSince(max(instance.updatedAt, lastTry))
            guard quiet >= stuckAfter else { return }
            // Restarted once; still no progress and no worker holding it: it would wait for ever.
            if quiet >= 2 * stuckAfter {
                let last = steps.last { $0.error != nil }?.error
                let minutes = Int(quiet / 60)
                try await lifecycle.abandon(
                    instance.id, reason: "no progress while \(instance.state.rawValue) for \(minutes) minutes" + (last.map { "; last error: \($0)" } ?? ""))
                report.abandoned += 1
                return
            }
            try await operations.enqueue(instance.id)
            report.restarted += 1
        }
    }

    /// A VM in LabGate's range that no record holds: destroyed once it has been seen so for
    /// the grace period, and only if its description says LabGate made it.
    private func handleOrphan(_ guest: PVEResource, vmid: Int, into report: inout Report) async throws {
        guard let node = guest.node, guest.lock == nil else { return }
        let description = try await lifecycle.proxmox.config(node: node, vmid: vmid)["description"] ?? ""
        guard description.hasPrefix("LabGate lab instance") else { return }
        let store = lifecycle.ephemeral
        let key = "orphan-seen:\(vmid)"
        let now = lifecycle.clock.now().timeIntervalSince1970
        _ = try await store.setIfAbsent(key, to: String(now), ttl: lifecycle.settings.orphanGrace * 4)
        let firstSeen = try await store.get(key).flatMap(Double.init) ?? now
        guard now - firstSeen >= lifecycle.settings.orphanGrace.seconds else {
            report.orphansWaiting += 1
            return
        }
        let proxmox = lifecycle.proxmox
        let timeout = lifecycle.settings.taskTimeout
        if guest.status == "running" { _ = try await proxmox.wait(for: proxmox.stop(node: node, vmid: vmid), timeout: timeout) }
        _ = try await proxmox.wait(for: proxmox.destroy(node: node, vmid: vmid), timeout: timeout)
        try await store.delete(key)
        lifecycle.logger.notice("destroyed an orphaned lab VM", metadata: ["vmid": .stringConvertible(vmid), "node": .string(node)])
        report.orphansDestroyed += 1
    }
}
