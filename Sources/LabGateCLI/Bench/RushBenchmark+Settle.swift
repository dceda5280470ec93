import Foundation
import LabCore
import LabGate
import Provisioning

extension RushBenchmark {
    /// How a rush's labs ended, once each rested (or the wait ran out): counted in the
    /// database, on the cluster and in Guacamole's records, none of which a process that
    /// crashed meanwhile could have forgotten.
    struct Settlement {
        var ready = 0
        var failed = 0
        /// Labs still in a transient state when the wait ended.
        var transient = 0
        /// Clones in LabGate's VMID range on the cluster.
        var vms = 0
        /// Students with more than one live lab, and labs that share a VM.
        var duplicates = 0
        /// Clones in LabGate's range that no live lab holds.
        var strayVMs = 0
        /// Ready labs without their Guacamole connection.
        var missingDesktops = 0
        /// Jobs the queue gave up on.
        var deadLetters = 0
        var seconds = 0.0
        /// The first failure's reason, for a person to read.
        var firstFailure: String?

        var line: String {
            "ready=\(ready) failed=\(failed) transient=\(transient) vms=\(vms) duplicates=\(duplicates) stray_vms=\(strayVMs) "
                + "missing_desktops=\(missingDesktops) dead_letters=\(deadLetters) settle_s=\(String(format: "%.1f", seconds))"
        }
    }

    /// Waits up to `limit` for every lab of `course` to rest (ready, stopped, deleted, failed)
    /// and for the cluster to hold no clone that no lab holds (the reconciler destroys them
    /// after its grace), then counts. A database or cluster that does not answer for a while
    /// (restarted under a chaos run, say) is waited for too.
    func settle(_ course: CourseID, within limit: Duration) async throws -> Settlement {
        guard case .cluster(let proxmoxSettings) = config.proxmox else {
            throw DescribedFailure("settling needs proxmox.url: the servers' cluster, not one simulated in this process")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + limit
        let proxmox = try ProxmoxClient(settings: proxmoxSettings)
        let outcome = await Swift.Result.capturing {
            try await Backends.using(config) { backends in
                var settlement = Settlement()
                while true {
                    do {
                        settlement = try await count(course, backends: backends, proxmox: proxmox)
                        if settlement.transient == 0 && settlement.strayVMs == 0 || clock.now >= deadline { break }
                    } catch  where clock.now < deadline {
                        // Unavailable for now: the next look may find it back.
                    }
                    try await Task.sleep(for: .milliseconds(500))
                }
                settlement.seconds = start.duration(to: clock.now).timeInterval
                return settlement
            }
        }
        try? await proxmox.shutdown()
        return try outcome.get()
    }

    /// How the labs of `course` stand now.
    private func count(_ course: CourseID, backends: Backends, proxmox: ProxmoxClient) async throws -> Settlement {
        var settlement = Settlement()
        // Another class's labs may be on the cluster too: a stray clone is one no live lab of any course holds.
        let everyLive = try await backends.repositories.instances.list(states: Set(LabInstanceState.allCases.filter(\.isLive)), limit: 1_000_000)
        let live = everyLive.filter { $0.courseID == course }
        settlement.ready = live.filter { $0.state == .ready }.count
        settlement.failed = live.filter { $0.state == .failed }.count
        settlement.transient = live.filter { !$0.state.isResting }.count
        settlement.firstFailure = live.first { $0.state == .failed }?.failureReason
        let held = live.flatMap(\.vmids)
        settlement.duplicates = (live.count - Set(live.map(\.userID)).count) + (held.count - Set(held).count)
        settlement.deadLetters = try await backends.queue.deadLetters(limit: 100_000).count

        let clones = try await proxmox.resources(type: "vm").filter { !$0.isTemplate }.compactMap(\.vmid).filter(config.provisioning.vmidRange.contains)
        settlement.vms = clones.count
        settlement.strayVMs = Set(clones).subtracting(everyLive.flatMap(\.vmids)).count
        for lab in live where lab.state == .ready {
            if try await backends.guacamoleRecords.connectionID(named: lab.id.rawValue, in: config.guacamole.group) == nil {
                settlement.missingDesktops += 1
            }
        }
        return settlement
    }
}
