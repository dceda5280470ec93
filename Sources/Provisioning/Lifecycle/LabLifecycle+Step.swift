import Foundation
import LabCore
import Metrics

extension LabLifecycle {
    /// Runs `body` as the recorded step `name` of `instance`. A step left `running` by a
    /// worker that died is resumed with the reference it saved (a task UPID); a step that
    /// failed before, since the instance entered its state, counts as one more attempt.
    /// A version conflict is no failure of the step: the instance changed under it, and the
    /// attempt is resumed from the new state. `remember` saves a reference before a wait.
    func stepping<T: Sendable>(
        _ name: String, of instance: LabInstance,
        _ body: @Sendable (_ step: LabInstanceStep, _ remember: @Sendable (String) async throws -> Void) async throws -> T
    ) async throws -> T {
        let previous = try await instances.steps(of: instance.id).first { $0.name == name }
        var step: LabInstanceStep
        if let previous, previous.outcome == .running {
            step = previous
        } else {
            // Attempts count within one visit of the state: a lab retried after failing starts afresh.
            let again = previous.map { $0.outcome == .failed && $0.startedAt >= instance.updatedAt } ?? false
            let attempt = again ? previous!.attempt + 1 : 1
            let earlier = previous.map { Array(($0.earlierAttempts + [$0.summary]).suffix(Self.keptAttempts)) } ?? []
            step = LabInstanceStep(instanceID: instance.id, name: name, attempt: attempt, startedAt: clock.now(), earlierAttempts: earlier)
            try await instances.record(step)
        }
        let started = step
        do {
            let result = try await body(started) { reference in
                var noted = started
                noted.reference = reference
                try await instances.record(noted)
            }
            step = try await instances.steps(of: instance.id).first { $0.name == name } ?? started
            step.outcome = .succeeded
            step.finishedAt = clock.now()
            try await instances.record(step)
            Counter(label: "labgate_lab_steps_total", dimensions: [("step", name), ("outcome", "succeeded")]).increment()
            return result
        } catch {
            if error is CancellationError { throw error }
            if case StoreError.conflict = error { throw error }
            step.outcome = .failed
            step.reference = nil
            step.error = "\(error)"
            step.finishedAt = clock.now()
            try? await instances.record(step)
            Counter(label: "labgate_lab_steps_total", dimensions: [("step", name), ("outcome", "failed")]).increment()
            throw error
        }
    }

    /// How many earlier attempts a step keeps for `instance show`.
    static let keptAttempts = 20

    /// Waits for a task this step started or an earlier attempt left behind.
    func waitForTask(_ reference: String?, start: () async throws -> UPID?, remember: @Sendable (String) async throws -> Void, timeout: Duration) async throws {
        let upid: UPID
        if let reference, let earlier = try? UPID(reference) {
            upid = earlier
        } else if let started = try await start() {
            try await remember(started.rawValue)
            upid = started
        } else {
            return
        }
        _ = try await proxmox.wait(for: upid, timeout: timeout)
    }

    /// Saves `instance` moved to `state`.
    func move(_ instance: LabInstance, to state: LabInstanceState, _ change: (inout LabInstance) -> Void = { _ in }) async throws -> LabInstance {
        var next = instance
        change(&next)
        try next.transition(to: state, at: clock.now())
        return try await instances.save(next)
    }
}
