import Foundation
import LabCore
import PVESim
import Testing

@testable import Provisioning

/// An environment's checks, run in a student's VM through PVESim's guest agent.
@Suite("Checks of a student's work")
struct CheckRunnerTests {
    static let checks = [
        CheckSpec(name: "hello.txt exists", command: .shell("test -f /home/student/hello.txt"), points: 1),
        CheckSpec(name: "nginx runs", command: .shell("systemctl is-active nginx"), points: 2),
        CheckSpec(name: "users", command: .program(["/usr/bin/wc", "-l", "/etc/passwd"]), points: 3, outputMatches: "^<b>25</b>"),
        CheckSpec(name: "slow", command: .shell("sleep-forever"), timeoutSeconds: 1, points: 4),
    ]

    static let guest = [
        SimGuestCommand(match: "hello.txt"),
        SimGuestCommand(match: "nginx", exitCode: 3, stdout: "inactive\n"),
        SimGuestCommand(match: "wc -l", stdout: "<b>25</b> /etc/passwd\n"),
        SimGuestCommand(match: "sleep-forever", seconds: 100_000),
    ]

    static var environment: EnvironmentSpec {
        var spec = LifecycleTestbed.environment
        spec.checks = checks
        return spec
    }

    static func run(_ body: @Sendable (LifecycleTestbed, LabInstance, LabCore.Environment) async throws -> Void) async throws {
        let configuration = SimTestbed.configuration { $0.guestCommands = guest }
        try await LifecycleTestbed.run(configuration, environment: environment) { bed in
            let instance = try await bed.provision()
            #expect(instance.state == .ready)
            let environment = try #require(try await bed.repositories.environments.find(name: "linux"))
            try await body(bed, instance, environment)
        }
    }

    @Test("each check's exit code or output decides; a command that does not finish in time is a result with its reason; the run is kept")
    func resultsAndScore() async throws {
        try await Self.run { bed, instance, environment in
            let run = try await bed.checks.run(on: instance, environment: environment, handIn: false)
            #expect(run.results.map(\.passed) == [true, false, true, false])
            #expect(run.score == 4 && run.maxScore == 10)
            #expect(run.results[1].output == "inactive")
            #expect(run.results[2].output == "<b>25</b> /etc/passwd", "kept as text; the page escapes it")
            #expect(run.results[3].problem == "the check did not finish within 1 seconds")
            #expect(run.handedInAt == nil)
            #expect(try await bed.repositories.checkRuns.latest(instanceID: instance.id) == run)
            #expect(run.summary.contains("✗ nginx runs: 0/2"))
        }
    }

    @Test("once a minute: a second check is too soon, a hand-in has its own allowance; a rule for one VM overrides the class's")
    func interval() async throws {
        try await Self.run { bed, instance, environment in
            _ = try await bed.checks.run(on: instance, environment: environment, handIn: false)
            await #expect(throws: CheckRefusal.self) { try await bed.checks.run(on: instance, environment: environment, handIn: false) }
            do {
                _ = try await bed.checks.run(on: instance, environment: environment, handIn: false)
            } catch let CheckRefusal.tooSoon(seconds) {
                #expect((1...60).contains(seconds))
            }
            let vmid = try #require(instance.vmid)
            bed.sim.cluster.guestCommands += [SimGuestCommand(match: "nginx", vmids: [vmid], stdout: "active\n")]
            let handedIn = try await bed.checks.run(on: instance, environment: environment, handIn: true)
            #expect(handedIn.handedInAt != nil && handedIn.results[1].passed)
            #expect(try await bed.repositories.checkRuns.latest(instanceID: instance.id)?.handedInAt != nil)
        }
    }

    @Test("a stopped lab, a silent guest agent, an agent not configured: each a result the student can act on, never an error")
    func troubles() async throws {
        try await Self.run { bed, instance, environment in
            let runner = CheckRunner(
                proxmox: bed.sim.client, ephemeral: bed.ephemeral, runs: bed.repositories.checkRuns, audit: nil, interval: .milliseconds(1),
                pollInterval: .milliseconds(5))
            bed.sim.cluster.faults = SimFaults(calls: [SimCallFault(path: "/agent/exec", trouble: .agentSilent, times: 1)])
            let silent = try await runner.run(on: instance, environment: environment, handIn: false)
            #expect(silent.results.allSatisfy { $0.problem?.contains("guest agent is not answering") == true })
            #expect(silent.score == 0)

            let stopped = try await bed.perform(.stop, on: instance)
            try await Task.sleep(for: .milliseconds(5))
            let whileStopped = try await runner.run(on: stopped, environment: environment, handIn: false)
            #expect(whileStopped.results.allSatisfy { $0.problem?.hasPrefix("your lab is not running") == true })

            // The VM stopped behind LabGate's back (the record still says ready): Proxmox's own words, translated.
            try await Task.sleep(for: .milliseconds(5))
            let vmStopped = try await runner.run(on: instance, environment: environment, handIn: false)
            #expect(vmStopped.results.allSatisfy { $0.problem == "your lab's VM is stopped; start it, then check again" })
            #expect(
                CheckRunner.problem(.api(status: 500, message: "No QEMU guest agent configured"))
                    == "this lab's VM has no guest agent to run checks with; tell your teacher")
        }
    }

    @Test("two runs of one lab at once: one runs, the other is told a run is under way; no checks: nothing runs")
    func oneAtATime() async throws {
        try await Self.run { bed, instance, environment in
            let first = Task { try await bed.checks.run(on: instance, environment: environment, handIn: false) }
            try await Task.sleep(for: .milliseconds(100))
            await #expect(throws: CheckRefusal.running) { try await bed.checks.run(on: instance, environment: environment, handIn: true) }
            #expect(try await first.value.results.count == 4)
            var plain = LifecycleTestbed.environment
            plain.name = "plain"
            let bare = try await bed.repositories.environments.save(try plain.environment())
            #expect(bed.checks.count(in: bare) == 0 && bed.checks.count(in: environment) == 4)
            await #expect(throws: CheckRefusal.noChecks) { try await bed.checks.run(on: instance, environment: bare, handIn: false) }
        }
    }
}
