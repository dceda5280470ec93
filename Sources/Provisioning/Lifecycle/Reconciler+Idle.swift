import Foundation
import LabCore

extension Reconciler {
    /// The ready labs to pause now, with the reason their students read, by `IdleRule` on
    /// Guacamole's history and, for labs with a session open, Proxmox's figures (warned
    /// first). When the history cannot be read, none: a lab is never stopped on a guess. Each
    /// environment and course is read once.
    func idlePauses(of instances: [LabInstance], into report: inout Report) async -> [LabInstanceID: String] {
        // A spare waits unconnected by design: it goes when its class's spares shrink or end.
        let ready = instances.filter { $0.state == .ready && !$0.isSpare }
        guard let earliest = ready.map(\.updatedAt).min() else { return [:] }
        let activity: [LabInstanceID: DesktopActivity]
        do {
            activity = try await lifecycle.desktops.activity(since: earliest)
        } catch {
            report.idleUnread = true
            lifecycle.logger.warning("cannot read Guacamole's session history; no lab is paused for idleness", metadata: ["error": .string("\(error)")])
            return [:]
        }
        let now = lifecycle.clock.now()
        var rules: [String: IdleRule] = [:]
        var pauses: [LabInstanceID: String] = [:]
        for instance in ready {
            let key = "\(instance.environmentID)/\(instance.courseID?.rawValue ?? "")"
            do {
                let rule: IdleRule
                if let known = rules[key] {
                    rule = known
                } else {
                    rule = IdleRule(try await lifecycle.specification(of: instance))
                    rules[key] = rule
                }
                // A ready lab's last save is the one that made it ready.
                switch rule.verdict(readySince: instance.updatedAt, activity: activity[instance.id], now: now) {
                case .pause(let reason): pauses[instance.id] = reason
                case .connected(let since):
                    if try await unusedLongEnough(instance, rule: rule, connectedSince: since, now: now, into: &report) {
                        pauses[instance.id] = rule.unusedReason
                    }
                case .idle: break
                }
            } catch {
                lifecycle.logger.warning(
                    "cannot judge whether a lab is idle", metadata: ["instance": .string(instance.id.rawValue), "error": .string("\(error)")])
            }
        }
        return pauses
    }

    /// For a lab with a session open: warns its student when its figures say unused (and
    /// clears the warning once it is used again); true once the warning's grace has passed.
    private func unusedLongEnough(_ instance: LabInstance, rule: IdleRule, connectedSince: Date, now: Date, into report: inout Report) async throws -> Bool {
        let store = lifecycle.ephemeral
        let warning = try await UnusedWarning.find(for: instance.id, in: store)
        guard rule.unused.minutes > 0, now.timeIntervalSince(connectedSince) >= Double(rule.unused.minutes * 60), let vmid = instance.vmid,
            let node = instance.node
        else {
            if warning != nil { try await UnusedWarning.clear(for: instance.id, in: store) }
            return false
        }
        let points = try await lifecycle.proxmox.lastHour(node: node, vmid: vmid)
        guard rule.isUnused(connectedSince: connectedSince, lastHour: points, now: now) else {
            if warning != nil { try await UnusedWarning.clear(for: instance.id, in: store) }
            return false
        }
        // Once its grace has passed, the pause takes the warning with it.
        if let warning { return warning.pausesAt <= now }
        let grace = Duration.seconds(rule.unused.graceMinutes * 60)
        let fresh = UnusedWarning(pausesAt: now.addingTimeInterval(grace.seconds))
        try await fresh.save(for: instance.id, in: store, ttl: grace * 4)
        await lifecycle.notices?.labUnused(instance, pausesAt: fresh.pausesAt)
        report.warned += 1
        return false
    }
}

extension IdleRule {
    /// The environment's rule, with its course's idle timeout.
    init(_ spec: EnvironmentSpec) {
        self.init(idleTimeout: .seconds(spec.idleTimeoutMinutes * 60), maxSession: .seconds(spec.maxSessionMinutes * 60), unused: spec.unused)
    }
}
