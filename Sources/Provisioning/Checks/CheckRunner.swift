import Foundation
import LabCore
import Logging

/// Runs an environment's checks in a student's lab, one after the other, in its first VM
/// through the QEMU guest agent (`agent/exec`, then `agent/exec-status` until the command
/// exits or its time is up). One run per lab at a time, and no more than one per
/// `interval` (a hand-in has its own allowance, so a check just before it does not block it).
public struct CheckRunner: LabChecks {
    let proxmox: ProxmoxClient
    let ephemeral: any EphemeralStore
    let runs: any CheckRunRepository
    let audit: AuditTrail?
    /// The least time between two runs of one lab's checks.
    let interval: Duration
    /// How often a running command is asked whether it has exited.
    let pollInterval: Duration
    let clock: any WallClock

    public init(
        proxmox: ProxmoxClient, ephemeral: any EphemeralStore, runs: any CheckRunRepository, audit: AuditTrail?, interval: Duration,
        pollInterval: Duration, clock: any WallClock = SystemClock()
    ) {
        self.proxmox = proxmox
        self.ephemeral = ephemeral
        self.runs = runs
        self.audit = audit
        self.interval = interval
        self.pollInterval = pollInterval
        self.clock = clock
    }

    public func count(in environment: Environment) -> Int {
        (try? EnvironmentSpec.decode(environment).checks.count) ?? 0
    }

    public func run(on instance: LabInstance, environment: Environment, handIn: Bool) async throws -> CheckRun {
        let checks = try EnvironmentSpec.decode(environment).checks
        guard !checks.isEmpty else { throw CheckRefusal.noChecks }
        let runningKey = "checks-running:\(instance.id)"
        let limit = Duration.seconds(checks.reduce(0) { $0 + $1.timeoutSeconds } + 60)
        guard try await ephemeral.setIfAbsent(runningKey, to: "1", ttl: limit) else { throw CheckRefusal.running }
        do {
            let run = try await runAllowed(checks, on: instance, handIn: handIn)
            _ = try? await ephemeral.delete(runningKey)
            return run
        } catch {
            _ = try? await ephemeral.delete(runningKey)
            throw error
        }
    }

    /// The run, if the lab's interval since the last one has passed.
    private func runAllowed(_ checks: [CheckSpec], on instance: LabInstance, handIn: Bool) async throws -> CheckRun {
        let intervalKey = "checks-\(handIn ? "hand-in" : "run"):\(instance.id)"
        let now = clock.now().timeIntervalSince1970
        guard try await ephemeral.setIfAbsent(intervalKey, to: String(now), ttl: interval) else {
            let since = (try await ephemeral.get(intervalKey)).flatMap(Double.init).map { now - $0 } ?? 0
            throw CheckRefusal.tooSoon(retryAfterSeconds: max(1, Int((interval.timeInterval - since).rounded(.up))))
        }
        var results: [CheckRun.Result] = []
        var blocked: String?
        for check in checks {
            if let blocked {
                results.append(CheckRun.Result(name: check.name, passed: false, points: 0, maxPoints: check.points, problem: blocked))
                continue
            }
            let result = await run(check, in: instance)
            // A stopped VM or a silent agent fails every check the same way: ask no further.
            if let problem = result.problem, Self.blocksTheRest(problem) { blocked = problem }
            results.append(result)
        }
        // Whole milliseconds, as the run is stored.
        let ranAt = Date(milliseconds: clock.now().millisecondsSince1970)
        var run = CheckRun(instanceID: instance.id, userID: instance.userID, courseID: instance.courseID, ranAt: ranAt, results: results)
        if handIn { run.handedInAt = run.ranAt }
        try await runs.save(run)
        await audit?.record(
            AuditEvent(
                at: run.ranAt, actor: "user:\(instance.userID)", action: handIn ? "lab.hand-in" : "lab.check", subject: "instance:\(instance.id)",
                detail: "\(run.score) of \(run.maxScore) points", courseID: instance.courseID))
        return run
    }

    /// One check: its command started in the guest, then asked after until it exits or its time is up.
    private func run(_ check: CheckSpec, in instance: LabInstance) async -> CheckRun.Result {
        var result = CheckRun.Result(name: check.name, passed: false, points: 0, maxPoints: check.points)
        guard instance.state == .ready, let node = instance.node, let vmid = instance.vmid else {
            result.problem = "your lab is not running (it is \(instance.state.rawValue)); start it, then check again"
            return result
        }
        do {
            let pid = try await proxmox.exec(node: node, vmid: vmid, command: check.command.argv)
            let deadline = ContinuousClock.now + .seconds(check.timeoutSeconds)
            while true {
                let status = try await proxmox.execStatus(node: node, vmid: vmid, pid: pid)
                if status.exited {
                    result.output = Self.excerpt(status.stdout + status.stderr)
                    result.passed = check.passes(exitCode: status.exitCode, output: status.stdout)
                    result.points = result.passed ? check.points : 0
                    if status.exitCode == nil, let signal = status.signal { result.problem = "the command was ended by signal \(signal)" }
                    return result
                }
                guard ContinuousClock.now + pollInterval < deadline else {
                    result.problem = "the check did not finish within \(check.timeoutSeconds) seconds"
                    return result
                }
                try await Task.sleep(for: pollInterval)
            }
        } catch let error as ProxmoxError {
            result.problem = Self.problem(error)
        } catch {
            result.problem = "the check was interrupted"
        }
        return result
    }

    /// Proxmox's refusal in words for the student.
    static func problem(_ error: ProxmoxError) -> String {
        switch error {
        case .api(_, let message) where message.contains("is not running") && message.hasPrefix("VM"):
            "your lab's VM is stopped; start it, then check again"
        case .api(_, let message) where message.contains("QEMU guest agent is not running"):
            "the VM's guest agent is not answering (it starts a minute or so after the VM); try again shortly"
        case .api(_, let message) where message.contains("No QEMU guest agent configured"):
            "this lab's VM has no guest agent to run checks with; tell your teacher"
        default:
            "LabGate could not reach your lab's VM to check it; try again in a minute"
        }
    }

    /// Whether a problem will strike every other check of the run as well.
    private static func blocksTheRest(_ problem: String) -> Bool {
        !problem.hasPrefix("the check did not finish") && !problem.hasPrefix("the command was ended")
    }

    /// The first lines of the output, as text: at most 10 lines and 2,000 characters.
    static func excerpt(_ output: String) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).prefix(10).joined(separator: "\n")
        return String(lines.prefix(2000)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
