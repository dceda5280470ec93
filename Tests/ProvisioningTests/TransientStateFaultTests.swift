import Foundation
import LabCore
import PVESim
import Testing

@testable import Provisioning

/// Every transient state ends: the call each state makes meets trouble (595, a lock timeout,
/// a cut connection) — for ever, so the instance fails with the reason and leaves no VM once
/// the reconciler has passed; or only for a while, so the instance completes.
@Suite struct TransientStateFaultTests {
    /// A state, the call it makes (method, path suffix; `{vmid}` is the instance's VM) and the trouble it meets.
    struct Case: Sendable, CustomStringConvertible {
        var state: LabInstanceState
        var method: String
        var path: String
        var trouble: SimTrouble
        /// The words of the trouble that must reach the reason.
        var words: String
        /// The operation that leads from ready into the state, for states after ready.
        var operation: LabOperations.Operation?

        var description: String { "\(state.rawValue) \(method) …\(path) \(trouble.rawValue)" }
    }

    static let cases: [Case] = [
        Case(state: .allocating, method: "GET", path: "/qemu/9000/config", trouble: .unreachable, words: "595 No route to host"),
        Case(state: .allocating, method: "GET", path: "/cluster/resources", trouble: .connectionReset, words: "the connection closed before the answer"),
        Case(state: .cloning, method: "POST", path: "/qemu/9000/clone", trouble: .lockTimeout, words: "got timeout"),
        Case(state: .configuring, method: "PUT", path: "/config", trouble: .lockTimeout, words: "got timeout"),
        Case(state: .starting, method: "POST", path: "/status/start", trouble: .unreachable, words: "595"),
        Case(state: .waitingForAddress, method: "GET", path: "/agent/network-get-interfaces", trouble: .unreachable, words: "595"),
        Case(state: .stopping, method: "POST", path: "/status/shutdown", trouble: .lockTimeout, words: "got timeout", operation: .stop),
        Case(state: .resetting, method: "POST", path: "/rollback", trouble: .lockTimeout, words: "got timeout", operation: .reset),
        Case(state: .deleting, method: "DELETE", path: "/qemu/{vmid}", trouble: .lockTimeout, words: "got timeout", operation: .delete),
    ]

    @Test(arguments: cases)
    func troubleThatLastsFailsTheInstanceWithTheReasonAndLeavesNoVM(_ fault: Case) async throws {
        try await LifecycleTestbed.run { bed in
            let instance = try await reach(fault, bed)
            bed.sim.cluster.faults.calls = [call(fault, instance)]
            let rested = try await advanceAsTheQueueWould(instance, bed)
            #expect(rested.state == .failed, "\(fault): \(rested.state.rawValue)")
            let reason = rested.failureReason ?? ""
            #expect(reason.contains(fault.words), "\(fault): \(reason)")
            #expect(
                reason.contains("gave up \(fault.state.rawValue) after \(LifecycleTestbed.settings.maxStepAttempts) failed attempts"), "\(fault): \(reason)")
            let steps = try await bed.repositories.instances.steps(of: instance.id)
            let stateStep = try #require(steps.first { $0.name == fault.state.rawValue })
            #expect(stateStep.earlierAttempts.count == LifecycleTestbed.settings.maxStepAttempts - 1, "every attempt is kept")

            // What could not be removed while the trouble lasted goes in the reconciler's pass after it.
            bed.sim.cluster.faults.calls = []
            _ = try await ReconcilerTests().reconciler(bed).reconcile(holder: "test")
            #expect(bed.clones.isEmpty, "\(fault): \(bed.clones.map(\.vmid))")
        }
    }

    @Test(arguments: cases)
    func troubleThatPassesLetsTheInstanceComplete(_ fault: Case) async throws {
        try await LifecycleTestbed.run { bed in
            let instance = try await reach(fault, bed)
            // Two attempts' worth of the client's retries, then the call goes through.
            var passing = call(fault, instance)
            passing.times = 6
            bed.sim.cluster.faults.calls = [passing]
            let rested = try await advanceAsTheQueueWould(instance, bed)
            let expected: LabInstanceState =
                switch fault.operation {
                case .stop?: .stopped
                case .delete?: .deleted
                default: .ready
                }
            #expect(rested.state == expected, "\(fault): \(rested.state.rawValue) \(rested.failureReason ?? "")")
            #expect(bed.sim.cluster.faults.calls.first?.times == 0, "the trouble was met")
            #expect(bed.clones.count == (expected == .deleted ? 0 : 1))
        }
    }

    // MARK: -

    /// The instance just before the state of `fault`: requested, or ready when an operation leads there.
    private func reach(_ fault: Case, _ bed: LifecycleTestbed) async throws -> LabInstance {
        guard let operation = fault.operation else {
            return try await bed.operations.request(userID: bed.student, environmentName: "linux").instance
        }
        let ready = try await bed.provision()
        #expect(ready.state == .ready)
        return try await bed.operations.perform(operation, on: ready.id)
    }

    private func call(_ fault: Case, _ instance: LabInstance) -> SimCallFault {
        SimCallFault(method: fault.method, path: fault.path.replacingOccurrences(of: "{vmid}", with: String(instance.vmid ?? 0)), trouble: fault.trouble)
    }

    /// As the job queue does: each failed run comes back later, up to the queue's attempts.
    private func advanceAsTheQueueWould(_ instance: LabInstance, _ bed: LifecycleTestbed) async throws -> LabInstance {
        for _ in 0..<10 {
            do {
                try await bed.lifecycle.advance(instance.id)
            } catch {
                #expect((error as? ProxmoxError)?.isTransient == true, "only transient trouble comes back: \(error)")
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            let current = try await bed.reload(instance)
            if current.state.isResting { return current }
        }
        return try await bed.reload(instance)
    }
}
