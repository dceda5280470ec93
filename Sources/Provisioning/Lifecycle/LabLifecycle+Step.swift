import Foundation
import LabCore

extension LabLifecycle {
    /// Runs `body` as the recorded step `name` of `instance`. A step left `running` by a
    /// worker that died is resumed with the reference it saved (a task UPID); a step that
    /// failed before counts as one more attempt. `remember` saves a reference before a wait.
    func stepping<T: Sendable>(
        _ name: String, of instance: LabInstance,
        _ body: @Sendable (_ step: LabInstanceStep, _ remember: @Sendable (String) async throws -> Void) async throws -> T
    ) async throws -> T {
        let previous = try await instances.steps(of: instance.id).first { $0.name == name }
        var step: LabInstanceStep
        if let previous, previous.outcome == .running {
            step = previous
        } else {
            let attempt = previous?.outcome == .failed ? previous!.attempt + 1 : 1
            step = LabInstanceStep(instanceID: instance.id, name: name, attempt: attempt, startedAt: clock.now())
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
            return result
        } catch {
            guard !(error is CancellationError) else { throw error }
            step.outcome = .failed
            step.reference = nil
            step.error = "\(error)"
            step.finishedAt = clock.now()
            try? await instances.record(step)
            throw error
        }
    }

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
