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
        var seconds = 0.0
        /// The first failure's reason, for a person to read.
        var firstFailure: String?

        var line: String {
            "ready=\(ready) failed=\(failed) transient=\(transient) vms=\(vms) duplicates=\(duplicates) stray_vms=\(strayVMs) "
                + "missing_desktops=\(missingDesktops) settle_s=\(String(format: "%.1f", seconds))"
        }
    }

    /// Waits up to `limit` for every lab of `course` to rest (ready, stopped, deleted, failed), then counts.
    func settle(_ course: CourseID, within limit: Duration) async throws -> Settlement {
        guard case .cluster(let proxmoxSettings) = config.proxmox else {
            throw DescribedFailure("settling needs proxmox.url: the servers' cluster, not one simulated in this process")
        }
        let clock = ContinuousClock()
        let start = clock.now
        return try await Backends.using(config) { backends in
            var labs = try await backends.repositories.instances.list(courseID: course)
            while labs.contains(where: { !$0.state.isResting }), clock.now < start + limit {
                try await Task.sleep(for: .milliseconds(500))
                labs = try await backends.repositories.instances.list(courseID: course)
            }
            var settlement = Settlement(seconds: start.duration(to: clock.now).timeInterval)
            let live = labs.filter(\.state.isLive)
            settlement.ready = live.filter { $0.state == .ready }.count
            settlement.failed = live.filter { $0.state == .failed }.count
            settlement.transient = live.filter { !$0.state.isResting }.count
            settlement.firstFailure = live.first { $0.state == .failed }?.failureReason
            let held = live.flatMap(\.vmids)
            settlement.duplicates = (live.count - Set(live.map(\.userID)).count) + (held.count - Set(held).count)

            let proxmox = try ProxmoxClient(settings: proxmoxSettings)
            let clones = await Swift.Result.capturing {
                try await proxmox.resources(type: "vm").filter { !$0.isTemplate }.compactMap(\.vmid).filter(config.provisioning.vmidRange.contains)
            }
            try? await proxmox.shutdown()
            settlement.vms = try clones.get().count
            settlement.strayVMs = Set(try clones.get()).subtracting(held).count

            for lab in live where lab.state == .ready {
                if try await backends.guacamoleRecords.connectionID(named: lab.id.rawValue, in: config.guacamole.group) == nil {
                    settlement.missingDesktops += 1
                }
            }
            return settlement
        }
    }
}
