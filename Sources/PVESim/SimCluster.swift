import Foundation
import NIOConcurrencyHelpers

/// A simulated Proxmox VE cluster: nodes, storages, templates, VMs and tasks behind PVE's
/// API, with time running `timeScale` times faster than the wall clock.
public final class SimCluster: Sendable {
    let state: NIOLockedValueBox<SimState>
    private let started = ContinuousClock.now
    private let epoch = Date().timeIntervalSince1970.rounded(.down)
    public let timeScale: Double

    public init(configuration: SimConfiguration) throws(SimConfigurationError) {
        try configuration.validate()
        self.timeScale = configuration.timeScale
        self.state = NIOLockedValueBox(SimState(configuration: configuration))
    }

    /// Simulated seconds since 1970.
    var now: Double {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return epoch + seconds * timeScale
    }

    /// The first node's name: what a node certificate of the simulator is made for.
    public var firstNodeName: String {
        state.withLockedValue { $0.configuration.nodes.first?.name ?? "pve1" }
    }

    /// The API tokens the cluster accepts.
    public var tokens: [SimTokenSpec] {
        state.withLockedValue(\.configuration.tokens)
    }

    /// The faults in force; tests and `POST /_sim/faults` change them.
    public var faults: SimFaults {
        get { state.withLockedValue(\.faults) }
        set {
            state.withLockedValue {
                $0.faults = newValue
                if let seed = newValue.seed { $0.random = SimRandom(seed: seed) }
            }
        }
    }

    /// How commands run through the guest agent turn out; tests and `POST /_sim/guest-commands` change it.
    public var guestCommands: [SimGuestCommand] {
        get { state.withLockedValue(\.guestCommands) }
        set { state.withLockedValue { $0.guestCommands = newValue } }
    }

    /// The password the guest agent last set for `username` in the VM, if any.
    public func userPassword(vmid: Int, username: String) -> String? {
        state.withLockedValue { $0.vms[vmid]?.userPasswords[username] }
    }

    /// Makes a guest as busy as `load` from now on (its whole `rrddata` hour shows it).
    public func setGuestLoad(vmid: Int, _ load: SimGuestLoad) {
        state.withLockedValue { $0.vms[vmid]?.load = load }
    }

    /// Runs `body` on the state as it is now: the tasks that have ended are applied first.
    func withCurrentState<T>(_ body: (inout SimState, _ now: Double) -> T) -> T {
        let now = now
        return state.withLockedValue { state in
            state.advance(to: now)
            return body(&state, now)
        }
    }

    /// The VMs that exist now, templates included, by VMID.
    public func virtualMachines() -> [SimVMSummary] {
        withCurrentState { state, _ in
            state.vms.values.sorted { $0.vmid < $1.vmid }.map {
                SimVMSummary(
                    vmid: $0.vmid, node: $0.node, name: $0.name, isTemplate: $0.isTemplate, running: $0.running,
                    lock: $0.lock, pool: $0.pool, tags: $0.config["tags"], snapshots: $0.snapshots.map(\.name))
            }
        }
    }

    /// How many tasks have been started, and how many are still running.
    public func taskCounts() -> (started: Int, running: Int) {
        withCurrentState { state, _ in (state.tasks.count, state.tasks.values.filter { !$0.finished }.count) }
    }

    /// The token with this `Authorization` header value, if any.
    func token(authorization: String?) -> SimTokenSpec? {
        guard let authorization,
            let credentials = ["PVEAPIToken=", "PVEAPIToken "].lazy.compactMap({ prefix in
                authorization.hasPrefix(prefix) ? authorization.dropFirst(prefix.count) : nil
            }).first, let split = credentials.firstIndex(of: "=")
        else { return nil }
        let id = String(credentials[..<split])
        let secret = Array(credentials[credentials.index(after: split)...].utf8)
        return state.withLockedValue { $0.configuration.tokens }.first { token in
            let expected = Array(token.secret.utf8)
            // Compare every byte so the time taken says nothing about the secret.
            let same = expected.count == secret.count && zip(expected, secret).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
            return token.id == id && same
        }
    }
}

/// What a test or the demo can see of one VM.
public struct SimVMSummary: Sendable, Hashable {
    public var vmid: Int
    public var node: String
    public var name: String
    public var isTemplate: Bool
    public var running: Bool
    public var lock: String?
    public var pool: String?
    public var tags: String?
    public var snapshots: [String]
}
