import Foundation
import LabCore
import PVESim
import TestSupport
import Testing

@testable import Provisioning

// One after another: each test has a database of its own, but under a loaded parallel run three of
// them once found no lead where a holder should act (before SQLite connections had threads of their
// own); they time locks and stalls, so they run alone.
/// The reconciler against PVESim: what it repairs, what it destroys, and what it leaves alone.
@Suite(.serialized) struct ReconcilerTests {
    func reconciler(
        _ bed: LifecycleTestbed, grace: Duration = .seconds(3600), stuckAfter: Duration? = nil, lockTTL: Duration = .seconds(60),
        clock: any WallClock = SystemClock(), proxmox: ProxmoxClient? = nil
    ) -> Reconciler {
        var settings = bed.lifecycle.settings
        settings.orphanGrace = grace
        settings.stuckAfter = stuckAfter ?? settings.stuckAfter
        let lifecycle = LabLifecycle(
            proxmox: proxmox ?? bed.sim.client, repositories: bed.repositories, ephemeral: bed.ephemeral, desktops: bed.lifecycle.desktops,
            settings: settings, clock: clock, logger: bed.lifecycle.logger)
        return Reconciler(
            lifecycle: lifecycle, operations: bed.operations,
            preparer: ClassPreparer(lifecycle: lifecycle, operations: bed.operations, repositories: bed.repositories), lockTTL: lockTTL)
    }

    @Test func anInstanceNoWorkerMovesIsFailedAfterTwiceStuckAfterAndOneAWorkerHoldsOrRetriesIsNot() async throws {
        try await LifecycleTestbed.run { bed in
            let (forgotten, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
            let (held, _) = try await bed.operations.request(
                userID: try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s2"), environmentName: "linux")
            let (retrying, _) = try await bed.operations.request(
                userID: try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s3"), environmentName: "linux")
            try await bed.ephemeral.set(LabLifecycle.leaseKey(held.id), to: "a live worker", ttl: .seconds(60))
            // Ten minutes on, each untouched since: twice `stuckAfter` and more…
            let clock = TestClock(Date().addingTimeInterval(600))
            // …but this one's job came back 10 s ago and failed again, as one waiting for a clone slot in a rush does.
            let lately = clock.now().addingTimeInterval(-10)
            try await bed.repositories.instances.record(
                LabInstanceStep(
                    instanceID: retrying.id, name: "requested", attempt: 2, outcome: .failed, error: "no slot", startedAt: lately, finishedAt: lately))

            let report = try #require(try await reconciler(bed, stuckAfter: .seconds(60), clock: clock).reconcile(holder: "a"))
            #expect(report.abandoned == 1 && report.restarted == 0, "\(report)")
            let failed = try await bed.reload(forgotten)
            #expect(failed.state == .failed)
            #expect(failed.failureReason?.hasPrefix("no progress while requested for 10 minutes") == true, "\(failed.failureReason ?? "")")
            #expect(try await bed.reload(held).state == .requested, "a worker holds it: left to that worker")
            #expect(try await bed.reload(retrying).state == .requested, "tried lately: not quiet")
        }
    }

    /// A clone made behind LabGate's back, in its VMID range, with `description`.
    func makeVM(_ bed: LifecycleTestbed, vmid: Int, description: String) async throws {
        guard
            case .started(let upid) = try await bed.sim.client.clone(
                node: "pve1", vmid: 9000, CloneRequest(newID: vmid, name: "stray-\(vmid)", description: description))
        else { throw ProxmoxError.unexpectedAnswer("no clone task") }
        try await bed.sim.client.wait(for: upid, timeout: .seconds(5))
    }

    @Test func anOrphanIsDestroyedOnlyAfterItsGraceAndOnlyIfLabGateMadeIt() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            try await makeVM(bed, vmid: 100_500, description: "LabGate lab instance 0123456789abcdef")
            try await makeVM(bed, vmid: 100_501, description: "a teacher's own VM")

            let patient = try #require(try await reconciler(bed).reconcile(holder: "a"))
            #expect(patient.orphansWaiting == 1 && patient.orphansDestroyed == 0)
            #expect(Set(bed.clones.map(\.vmid)) == [100_500, 100_501])

            let report = try #require(try await reconciler(bed, grace: .zero).reconcile(holder: "a"))
            #expect(report.orphansDestroyed == 1)
            #expect(bed.clones.map(\.vmid) == [100_501], "a VM LabGate did not make is never destroyed")
        }
    }

    @Test func aVMInstanceOfARecordIsNoOrphan() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            let instance = try await bed.provision()
            let report = try #require(try await reconciler(bed, grace: .zero).reconcile(holder: "a"))
            #expect(report == Reconciler.Report())
            #expect(bed.clones.map(\.vmid) == [instance.vmid])
        }
    }

    @Test func aVanishedVMFailsItsInstanceAndAStoppedOneIsNoticed() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            let gone = try await bed.provision()
            let other = try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s2")
            let halted = try await bed.provision(other)
            let client = bed.sim.client
            _ = try await client.wait(for: client.stop(node: gone.node!, vmid: gone.vmid!), timeout: .seconds(5))
            _ = try await client.wait(for: client.destroy(node: gone.node!, vmid: gone.vmid!), timeout: .seconds(5))
            _ = try await client.wait(for: client.stop(node: halted.node!, vmid: halted.vmid!), timeout: .seconds(5))

            let report = try #require(try await reconciler(bed).reconcile(holder: "a"))
            #expect(report.vanished == 1 && report.drifted == 1)
            let failed = try await bed.reload(gone)
            #expect(failed.state == .failed && failed.failureReason?.contains("vanished from Proxmox") == true)
            #expect(try await bed.reload(halted).state == .stopping)
            try await bed.lifecycle.advance(halted.id)
            #expect(try await bed.reload(halted).state == .stopped)
        }
    }

    @Test func aListThatLeavesOutMostLabsVMsFailsNoneOfThemWhileOneVMDeletedStillFailsItsLab() async throws {
        // A token recreated with privilege separation: it may still act, but not audit, so PVE lists it no guests.
        let separated = SimTokenSpec(
            id: "labgate@pve!separated", secret: "5e0c2ab4-0000-4000-8000-000000005e9a", privileges: ["VM.Allocate", "VM.PowerMgmt"])
        try await LifecycleTestbed.run(SimTestbed.configuration { $0.tokens.append(separated) }) { bed in
            var labs = [try await bed.provision()]
            for subject in ["s2", "s3"] { labs.append(try await bed.provision(try await LifecycleTestbed.makeStudent(bed.repositories, subject: subject))) }
            let blind = try ProxmoxClient(settings: ProxmoxSettings(baseURL: bed.sim.baseURL, tokenID: separated.id, tokenSecret: separated.secret))
            let report = try await withCleanup {
                try #require(try await reconciler(bed, proxmox: blind).reconcile(holder: "a"))
            } cleanup: {
                try? await blind.shutdown()
            }
            #expect(report.unseen == 3 && report.vanished == 0, "\(report)")
            for lab in labs { #expect(try await bed.reload(lab).state == .ready) }
            #expect(bed.clones.count == 3)

            // With the token's view back, one VM deleted behind LabGate's back fails its lab, as before.
            let client = bed.sim.client
            let gone = labs[0]
            _ = try await client.wait(for: client.stop(node: gone.node!, vmid: gone.vmid!), timeout: .seconds(5))
            _ = try await client.wait(for: client.destroy(node: gone.node!, vmid: gone.vmid!), timeout: .seconds(5))
            let seen = try #require(try await reconciler(bed).reconcile(holder: "a"))
            #expect(seen.vanished == 1 && seen.unseen == 0, "\(seen)")
            #expect(try await bed.reload(gone).state == .failed)
            #expect(try await bed.reload(labs[1]).state == .ready)
        }
    }

    @Test func anInstancePastItsLifetimeIsTornDown() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            var instance = try await bed.provision()
            instance.expiresAt = Date().addingTimeInterval(-1)
            instance = try await bed.repositories.instances.save(instance)
            let report = try #require(try await reconciler(bed).reconcile(holder: "a"))
            #expect(report.expired == 1)
            try await bed.lifecycle.advance(instance.id)
            #expect(try await bed.reload(instance).state == .deleted)
            #expect(bed.clones.isEmpty)
        }
    }

    @Test func runningLabsOfACourseWhoseWindowClosedAreStopped() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            let platform = try #require(try await bed.repositories.platforms.list().first)
            var labs: [LabInstance] = []
            let windows = [
                ("closed-course", TimeWindow(start: "2020-01-06T09:00", end: "2020-01-06T12:00")),
                ("open-course", TimeWindow(start: "2020-01-06T09:00", end: "2099-01-01T00:00")),
            ]
            for (context, window) in windows {
                let course = try await bed.repositories.courses.upsert(Course(platformID: platform.id, deploymentID: "1", contextID: context, title: context))
                let student = try await LifecycleTestbed.makeStudent(bed.repositories, subject: "student-of-\(context)")
                let (lab, _) = try await bed.operations.request(userID: student, environmentName: "linux", courseID: course.id)
                try await bed.lifecycle.advance(lab.id)
                labs.append(try await bed.reload(lab))
                // The teacher sets the windows while the lab runs.
                var settings = try await bed.repositories.courses.settings(of: course.id)
                settings.timeZone = "Europe/Zurich"
                settings.windows = [window]
                try await bed.repositories.courses.saveSettings(settings, for: course.id)
            }
            #expect(labs.allSatisfy { $0.state == .ready })
            let report = try #require(try await reconciler(bed).reconcile(holder: "a"))
            #expect(report.closed == 1)
            // The teacher sees why on the course page.
            let event = try #require(try await bed.repositories.audit.list(AuditFilter(subject: "instance/\(labs[0].id)"), before: nil, limit: 1).first)
            #expect(event.actor == "reconciler" && event.action == "instance.stop" && event.detail == "the course's time window closed")
            try await bed.lifecycle.advance(labs[0].id)
            #expect(try await bed.reload(labs[0]).state == .stopped)
            #expect(try await bed.reload(labs[1]).state == .ready)
            // Stopped, it stays so: the next pass has nothing to do.
            #expect(try await reconciler(bed).reconcile(holder: "a")?.closed == 0)
        }
    }

    @Test func onlyOneProcessReconcilesAtATime() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            #expect(try await reconciler(bed).reconcile(holder: "a") != nil)
            #expect(try await reconciler(bed).reconcile(holder: "b") == nil)
            #expect(try await reconciler(bed).reconcile(holder: "a") != nil, "the holder keeps its lock")
            #expect(try await bed.repositories.fencingTokens.latest(for: "reconciler") == 1, "and its token")

            #expect(try await bed.ephemeral.delete("reconciler-lock"), "the lock expires (its holder stalled)")
            #expect(try await reconciler(bed).reconcile(holder: "b") != nil)
            #expect(try await bed.repositories.fencingTokens.latest(for: "reconciler") == 2, "a new holder draws a larger token")
            #expect(try await reconciler(bed).reconcile(holder: "a") == nil)
        }
    }

    /// The reconciler and the class preparer of one process start together and can both win the
    /// free lock and draw; whichever claim stood, the holder acts on its next passes.
    @Test func aHolderWhosePassesStartedTogetherKeepsActing() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            let reconciler = reconciler(bed)
            async let reconciled = reconciler.reconcile(holder: "a")
            async let prepared = reconciler.prepareClasses(holder: "a")
            _ = try await (reconciled, prepared)
            // Both claims drawn as a race can leave them: the key with the earlier token, a later one drawn.
            _ = try await bed.repositories.fencingTokens.draw(for: "reconciler")
            let term = try #require(try await reconciler.lock.lead(as: "a"))
            #expect(try await term.isCurrent(), "its next pass acts under a current token")
            #expect(try await reconciler.lock.lead(as: "b") == nil, "and it still holds the lock")
        }
    }

    /// A holder that stalls in the middle of a pass (here: Proxmox answers slowly) past its
    /// lock's expiry finds a successor's token when it resumes, and acts no more: the lab past
    /// its lifetime is torn down once, by the successor.
    @Test func aHolderThatStalledPastItsLockStopsActingOnceASuccessorTookOver() async throws {
        try await LifecycleTestbed.run { (bed) async throws in
            var instance = try await bed.provision()
            instance.expiresAt = Date().addingTimeInterval(-1)
            instance = try await bed.repositories.instances.save(instance)

            // Waits on what happened, not on the clock, so a loaded machine cannot reorder the steps;
            // the stall is long enough for the successor's whole pass.
            bed.sim.cluster.faults.extraLatencyMs = 8000
            let stalled = Task { try await reconciler(bed, lockTTL: .seconds(1)).reconcile(holder: "a") }
            try await eventually("the first holder draws its token") { try await bed.repositories.fencingTokens.latest(for: "reconciler") == 1 }
            try await eventually("its lock expires while it stalls") { try await bed.ephemeral.get("reconciler-lock") == nil }
            bed.sim.cluster.faults.extraLatencyMs = 0
            let successor = try #require(try await reconciler(bed, lockTTL: .seconds(1)).reconcile(holder: "b"))
            #expect(successor.expired == 1)

            #expect(try await stalled.value == nil, "the stalled holder's pass ends without acting")
            #expect(try await bed.repositories.fencingTokens.latest(for: "reconciler") == 2)
            #expect(try await bed.reload(instance).state == .deleting)
        }
    }
}
