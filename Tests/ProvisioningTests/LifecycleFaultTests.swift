import Foundation
import LabCore
import PVESim
import TestSupport
import Testing

@testable import Provisioning

/// Each fault PVESim can inject, through the whole lifecycle: afterwards no orphan VM is
/// left and no instance is stuck in a transient state.
@Suite struct LifecycleFaultTests {
    @Test func aFailingCloneTaskFailsTheInstanceWithPVEsTextAndLeavesNothing() async throws {
        try await LifecycleTestbed.run { bed in
            bed.sim.cluster.faults.taskFailureRate = 1
            let instance = try await bed.provision()
            #expect(instance.state == .failed)
            #expect(instance.failureReason?.contains("clone failed: copy of drive scsi0 failed: simulated fault") == true)
            #expect(instance.vmid == nil && instance.node == nil)
            #expect(bed.clones.isEmpty)
            #expect(try await bed.repositories.reservations.held(kind: "vmid", by: .instance(instance.id)).isEmpty)

            // Retrying once the cluster is healthy gets a ready VM.
            bed.sim.cluster.faults = SimFaults()
            let retried = try await bed.perform(.start, on: instance)
            #expect(retried.state == .ready, "\(retried.failureReason ?? "")")
            #expect(bed.clones.count == 1)
        }
    }

    @Test func aStorageLockTimeoutIsRetriedUntilTheCloneGoesThrough() async throws {
        let configuration = SimTestbed.configuration { sim in
            sim.storages[0].maxConcurrentClones = 1
            // 20 s here: the second clone is surely asked for while it runs, even with the whole suite on two cores.
            sim.storages[0].linkedCloneSeconds = 20_000
            sim.durations.lockTimeout = 1
        }
        // LabGate allows more clones on the storage than PVE can take, so PVE times out.
        var settings = LifecycleTestbed.settings
        settings.maxStepAttempts = 1000
        settings.cloneTimeout = .seconds(120)
        try await LifecycleTestbed.run(configuration, settings: settings) { bed in
            let other = try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s2")
            let (first, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
            let (second, _) = try await bed.operations.request(userID: other, environmentName: "linux")
            // As the job queue would: each transient failure is retried a little later.
            let advance: @Sendable (LabInstance) async throws -> Int = { instance in
                var timeouts = 0
                for _ in 0..<1000 {
                    do {
                        try await bed.lifecycle.advance(instance.id)
                        return timeouts
                    } catch let error as ProxmoxError where error.isTransient {
                        #expect("\(error)".contains("can't lock file '/var/lock/pve-manager/pve-storage-shared' - got timeout"))
                        #expect(try await bed.reload(instance).state == .cloning)
                        timeouts += 1
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                return timeouts
            }
            let firstRun = Task { try await advance(first) }
            while bed.clones.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            let secondTimeouts = try await advance(second)
            _ = try await firstRun.value
            #expect(secondTimeouts > 0, "the second clone met the first's lock")
            #expect(try await bed.reload(first).state == .ready)
            #expect(try await bed.reload(second).state == .ready)
            #expect(bed.clones.count == 2)
        }
    }

    @Test func aNodeThatGoesDownDuringACloneIsWaitedOut() async throws {
        let configuration = SimTestbed.configuration { $0.storages[0].linkedCloneSeconds = 100 }
        try await LifecycleTestbed.run(configuration) { bed in
            let (instance, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
            let advance: @Sendable () async throws -> Void = {
                try await bed.lifecycle.afterStepHook(instance.id) { saved in
                    if saved.state == .cloning { bed.sim.cluster.faults.downNodes = [saved.node ?? ""] }
                }
            }
            await #expect(throws: ProxmoxError.self) { try await advance() }
            #expect(try await bed.reload(instance).state == .cloning, "595 is transient: nothing is failed or deleted")
            bed.sim.cluster.faults = SimFaults()
            try await bed.lifecycle.advance(instance.id)
            #expect(try await bed.reload(instance).state == .ready)
            #expect(bed.clones.count == 1)
        }
    }

    @Test func aGuestAgentThatNeverAnswersFailsTheInstanceAndDestroysTheVM() async throws {
        var settings = LifecycleTestbed.settings
        settings.addressTimeout = .milliseconds(300)
        try await LifecycleTestbed.run(settings: settings) { bed in
            bed.sim.cluster.faults.agentNeverReady = true
            let instance = try await bed.provision()
            #expect(instance.state == .failed)
            #expect(instance.failureReason?.contains("reported no IPv4 address through the QEMU guest agent") == true)
            #expect(bed.clones.isEmpty)
        }
    }

    @Test func aTokenWithoutVMCloneFailsTheInstanceWithPVEsOwnMessage() async throws {
        let configuration = SimTestbed.configuration { $0.tokens[0].privileges = ["VM.Audit", "Sys.Audit", "Pool.Allocate", "Pool.Audit"] }
        try await LifecycleTestbed.run(configuration) { bed in
            let instance = try await bed.provision()
            #expect(instance.state == .failed)
            #expect(instance.failureReason?.contains("Permission check failed (/vms/9000, VM.Clone)") == true, "\(instance.failureReason ?? "")")
            #expect(bed.clones.isEmpty)
        }
    }

    @Test(arguments: [LabInstanceState.cloning, .configuring, .starting, .waitingForAddress])
    func aWorkerKilledBetweenStepsIsFinishedByAnother(killedIn state: LabInstanceState) async throws {
        try await LifecycleTestbed.run { bed in
            let (instance, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
            var doomed = bed.lifecycle
            doomed.afterStep = { saved in
                if saved.state == state { try await Task.sleep(for: .seconds(3600)) }
            }
            let dying = Task { [doomed] in try await doomed.advance(instance.id) }
            try await eventually("the doomed worker reaches \(state.rawValue)", timeout: .seconds(120)) { try await bed.reload(instance).state == state }
            dying.cancel()
            _ = await dying.result

            // Its lease still stands, as a dead worker's would, so the job that comes back waits…
            let lease = LabLifecycle.leaseKey(instance.id)
            #expect(try await bed.ephemeral.get(lease) != nil)
            let redelivered = Task { try await bed.lifecycle.advance(instance.id) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await bed.reload(instance).state == state)
            // …until the lease lapses (its time to live is the store's business, tested there); then it finishes the job.
            try await bed.ephemeral.delete(lease)
            try await redelivered.value
            let finished = try await bed.reload(instance)
            #expect(finished.state == .ready, "\(finished.failureReason ?? "")")
            #expect(bed.clones.count == 1, "no second clone")
            #expect(bed.clones.first?.vmid == finished.vmid)
        }
    }
}

/// A worker's hold on a lab: renewed while it lives, however long a step; lapsing soon after it dies.
/// It times a lease of seconds, so it runs alone (scripts/test.sh): in the parallel run the
/// heartbeat of a two-second lease was once more than a second late.
@Suite struct InstanceLeaseTests {
    @Test func aLiveWorkerKeepsItsLabThroughAStepLongerThanALeaseAndADeadOnesIsTakenOverWithinALease() async throws {
        var settings = LifecycleTestbed.settings
        // Long enough that a heartbeat is not late on a loaded machine, short enough to outlast a few times.
        settings.instanceLease = .seconds(2)
        try await LifecycleTestbed.run(settings: settings) { bed in
            let (instance, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
            var slow = bed.lifecycle
            slow.afterStep = { saved in
                if saved.state == .cloning { try await Task.sleep(for: .seconds(3600)) }
            }
            let working = Task { [slow] in try await slow.advance(instance.id) }
            try await eventually("the first worker holds the lab in its long step") { try await bed.reload(instance).state == .cloning }
            try await Task.sleep(for: .seconds(2.5))

            let second = ContinuousClock.now
            try await bed.lifecycle.advance(instance.id)
            #expect(ContinuousClock.now - second < .seconds(5), "a second job waits one lease, not the step")
            #expect(try await bed.reload(instance).state == .cloning, "the live worker still holds it; no second worker cloned meanwhile")

            working.cancel()
            _ = await working.result
            try await bed.lifecycle.advance(instance.id)
            let finished = try await bed.reload(instance)
            #expect(finished.state == .ready, "\(finished.failureReason ?? "")")
            #expect(bed.clones.count == 1)
        }
    }
}

extension LabLifecycle {
    /// Advances with `hook` run after every step.
    func afterStepHook(_ id: LabInstanceID, _ hook: @escaping @Sendable (LabInstance) async throws -> Void) async throws {
        var hooked = self
        hooked.afterStep = hook
        try await hooked.advance(id)
    }
}
