import Foundation
import GuacBridge
import LabCore
import NIOConcurrencyHelpers
import PVESim
import Storage
import TestSupport
import Testing

@testable import Provisioning

/// Idle pausing: the rule on its own, then the reconciler on Guacamole's own schema (MariaDB)
/// and on the embedded tables, with a clock the test moves.
@Suite struct IdlePausingTests {
    let rule = IdleRule(idleTimeout: .seconds(20 * 60), maxSession: .seconds(240 * 60))
    let ready = Date(timeIntervalSince1970: 1_790_000_000)
    func at(_ minutes: Double) -> Date { ready.addingTimeInterval(minutes * 60) }

    @Test func theRuleCountsFromTheLastSessionAndCapsEverySession() {
        #expect(rule.verdict(readySince: ready, activity: nil, now: at(19)) == .idle(since: ready))
        #expect(rule.verdict(readySince: ready, activity: nil, now: at(20)) == .pause(reason: "after 20 minutes without use"))
        // Two tabs, one closed: still connected.
        #expect(rule.verdict(readySince: ready, activity: DesktopActivity(openSince: [at(1)], lastEnded: at(5)), now: at(90)) == .connected(since: at(1)))
        #expect(rule.verdict(readySince: ready, activity: DesktopActivity(lastEnded: at(30)), now: at(49)) == .idle(since: at(30)))
        #expect(rule.verdict(readySince: ready, activity: DesktopActivity(lastEnded: at(30)), now: at(50)) == .pause(reason: "after 20 minutes without use"))
        // A session that ended before the lab was last started counts from the start.
        #expect(rule.verdict(readySince: at(100), activity: DesktopActivity(lastEnded: at(10)), now: at(110)) == .idle(since: at(100)))
        // A row Guacamole left open when it restarted, older than the longest session, keeps nothing alive.
        let restarted = DesktopActivity(openSince: [ready.addingTimeInterval(-300 * 60)])
        #expect(rule.verdict(readySince: ready, activity: restarted, now: at(25)) == .pause(reason: "after 20 minutes without use"))
        // The longest session ends even a lab in use.
        #expect(
            rule.verdict(readySince: ready, activity: DesktopActivity(openSince: [at(200)]), now: at(240))
                == .pause(reason: "when it had run for its longest session, 4 hours"))
    }

    @Test(
        "the reconciler pauses a lab left idle and keeps a connected one, reading Guacamole's history; unreadable history pauses nothing",
        arguments: GuacamoleSchema.underTest)
    func reconcilerPausesIdleLabs(schema: GuacamoleSchema) async throws {
        try await schema.withDatabase { guacamole in
            if schema == .sqlite { try await Migrator(database: guacamole).migrate() }
            try await LifecycleTestbed.run(guacamole: guacamole) { bed in
                let other = try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s2")
                let idle = try await bed.provision()
                let busy = try await bed.provision(other)
                #expect(idle.state == .ready && busy.state == .ready)
                let clock = TestClock(Date())
                let reconciler = Self.reconciler(bed, clock: clock)
                try await GuacamoleSchema.recordSession(
                    connection: busy.id.rawValue, username: GuacBridge.username(of: other), start: clock.now().addingTimeInterval(-5), in: guacamole)

                let early = try #require(try await reconciler.reconcile(holder: "a"))
                #expect(early.paused == 0 && !early.idleUnread, "\(early)")

                clock.advance(21 * 60)
                let report = try #require(try await reconciler.reconcile(holder: "a"))
                #expect(report.paused == 1, "\(report)")
                try await bed.lifecycle.advance(idle.id)
                let paused = try await bed.reload(idle)
                #expect(paused.state == .stopped && paused.pauseReason == "after 20 minutes without use")
                #expect(bed.clones.first { $0.vmid == paused.vmid }?.running == false, "stopped, its disk kept")
                #expect(try await bed.reload(busy).state == .ready, "a student on the desktop keeps their lab")
                #expect(try await bed.repositories.audit.list(AuditFilter(), before: nil, limit: 10).contains { $0.action == "instance.pause" })

                // Started again, the reason is gone.
                let started = try await bed.perform(.start, on: paused)
                #expect(started.state == .ready && started.pauseReason == nil)

                // Guacamole's database away: nothing is paused, however long.
                try await guacamole.execute("DROP TABLE guacamole_connection_history", [])
                clock.advance(600 * 60)
                let blind = try #require(try await reconciler.reconcile(holder: "a"))
                #expect(blind.idleUnread && blind.paused == 0, "\(blind)")
            }
        }
    }

    @Test func aConnectedLabUnusedByItsFiguresIsWarnedThenPausedUnlessUsedAgain() async throws {
        try await LifecycleTestbed.run { bed in
            let lab = try await bed.provision()
            let vmid = try #require(lab.vmid)
            let node = try #require(lab.node)
            let clock = TestClock(Date())
            let notices = RecordedNotices()
            let reconciler = Self.reconciler(bed, clock: clock, notices: notices)
            try await GuacamoleSchema.recordSession(
                connection: lab.id.rawValue, username: GuacBridge.username(of: lab.userID), start: clock.now().addingTimeInterval(-35 * 60),
                in: bed.guacamoleDatabase)
            // PVESim keeps a point a minute since the VM started: wait for half an hour of them.
            for _ in 0..<200 where try await bed.sim.client.lastHour(node: node, vmid: vmid).filter(\.ran).count < 31 {
                try await Task.sleep(for: .milliseconds(20))
            }

            let working = try #require(try await reconciler.reconcile(holder: "a"))
            #expect(working.warned == 0 && working.paused == 0, "a student at work is left alone: \(working)")

            bed.sim.cluster.setGuestLoad(vmid: vmid, .untouched)
            let first = try #require(try await reconciler.reconcile(holder: "a"))
            #expect(first.warned == 1 && first.paused == 0, "\(first)")
            let warning = try #require(try await UnusedWarning.find(for: lab.id, in: bed.ephemeral))
            #expect(abs(warning.pausesAt.timeIntervalSince(clock.now()) - 10 * 60) < 0.001)
            #expect(notices.unused.withLockedValue { $0 } == [lab.id])

            // Used again within the grace: the warning goes.
            bed.sim.cluster.setGuestLoad(vmid: vmid, .working)
            clock.advance(5 * 60)
            _ = try await reconciler.reconcile(holder: "a")
            #expect(try await UnusedWarning.find(for: lab.id, in: bed.ephemeral) == nil)

            bed.sim.cluster.setGuestLoad(vmid: vmid, .untouched)
            _ = try await reconciler.reconcile(holder: "a")
            clock.advance(9 * 60)
            #expect(try #require(try await reconciler.reconcile(holder: "a")).paused == 0, "not before the grace has passed")
            clock.advance(61)
            let last = try #require(try await reconciler.reconcile(holder: "a"))
            #expect(last.paused == 1, "\(last)")
            try await bed.lifecycle.advance(lab.id)
            #expect(try await bed.reload(lab).pauseReason == "after 40 minutes connected but unused")
            #expect(try await UnusedWarning.find(for: lab.id, in: bed.ephemeral) == nil)
        }
    }

    static func reconciler(_ bed: LifecycleTestbed, clock: any WallClock, notices: (any LabNotices)? = nil) -> Reconciler {
        let lifecycle = LabLifecycle(
            proxmox: bed.sim.client, repositories: bed.repositories, ephemeral: bed.ephemeral, desktops: bed.lifecycle.desktops,
            settings: bed.lifecycle.settings, notices: notices, clock: clock, logger: bed.lifecycle.logger)
        return Reconciler(
            lifecycle: lifecycle, operations: bed.operations,
            preparer: ClassPreparer(lifecycle: lifecycle, operations: bed.operations, repositories: bed.repositories), lockTTL: .seconds(60))
    }
}

/// A clock the test moves by hand.
final class TestClock: WallClock, Sendable {
    private let time: NIOLockedValueBox<Date>
    init(_ start: Date) { time = NIOLockedValueBox(start) }
    func now() -> Date { time.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLockedValue { $0 += seconds } }
}

/// The notices the reconciler gave, by lab.
final class RecordedNotices: LabNotices, Sendable {
    let unused = NIOLockedValueBox<[LabInstanceID]>([])
    func labReady(_ instance: LabInstance, waited: TimeInterval) async {}
    func labUnused(_ instance: LabInstance, pausesAt: Date) async { unused.withLockedValue { $0.append(instance.id) } }
}
