import Foundation
import LabCore

/// Checkpoints: each request marks the checkpoint, then moves the lab (ready or stopped) to
/// the state whose step does the work, so the lifecycle's one-worker-per-lab rule covers
/// them too. The mark comes first: a worker that finds the lab moved finds its work.
extension LabOperations {
    /// The most checkpoints an environment may allow per lab.
    public static let maxCheckpoints = 20

    public func saveCheckpoint(labelled label: String, on id: LabInstanceID) async throws -> LabInstance {
        let label = try Self.checked(label)
        let instance = try await resting(id, for: "save a checkpoint of")
        let limit = try await EnvironmentSpec.decode(environment(of: instance)).checkpoints
        let checkpoint = LabCheckpoint(instanceID: id, name: LabCheckpoint.newName(), label: label, createdAt: clock.now())
        switch try await checkpoints.add(checkpoint, limit: limit, within: checkpointQuotas(for: instance)) {
        case .added: break
        case .labFull: throw ProvisioningError.checkpointLimit(limit)
        case .quotaFull(let quota): throw ProvisioningError.checkpointQuota(holder: quota.holder, limit: quota.limit)
        }
        do {
            return try await move(instance, to: .checkpointing)
        } catch {
            try? await checkpoints.remove(id, name: checkpoint.name)
            throw error
        }
    }

    public func goBack(to name: String, on id: LabInstanceID) async throws -> LabInstance {
        let instance = try await resting(id, for: "go back to a checkpoint of")
        return try await mark(try await saved(name, of: id), .restoring, moving: instance, to: .resetting)
    }

    public func deleteCheckpoint(_ name: String, on id: LabInstanceID) async throws -> LabInstance {
        let instance = try await resting(id, for: "delete a checkpoint of")
        let checkpoint = try await checkpoints.list(instanceID: id).first { $0.name == name }
        guard let checkpoint else { throw ProvisioningError.unknownCheckpoint(name) }
        return try await mark(checkpoint, .deleting, moving: instance, to: .checkpointing)
    }

    /// Marks the checkpoint `status`, then moves the lab to the state whose step does the work;
    /// the mark is undone when the lab cannot move (it changed meanwhile).
    private func mark(_ checkpoint: LabCheckpoint, _ status: LabCheckpoint.Status, moving instance: LabInstance, to state: LabInstanceState)
        async throws -> LabInstance
    {
        try await checkpoints.mark(instance.id, name: checkpoint.name, status, problem: nil)
        do {
            return try await move(instance, to: state)
        } catch {
            try? await checkpoints.mark(instance.id, name: checkpoint.name, checkpoint.status, problem: checkpoint.problem)
            throw error
        }
    }

    /// The student's, the course's and the global quota on checkpoints, as far as set.
    private func checkpointQuotas(for instance: LabInstance) async throws -> [CheckpointQuota] {
        try await admission.applicableQuotas(userID: instance.userID, courseID: instance.courseID).compactMap { quota in
            guard let limit = quota.checkpoints else { return nil }
            return switch quota.scope {
            case .eachStudent: CheckpointQuota(scope: .user(instance.userID), limit: limit, holder: "each student")
            case .course, .everyCourse: CheckpointQuota(scope: .course(instance.courseID ?? CourseID("")), limit: limit, holder: "your course")
            case .global: CheckpointQuota(scope: .all, limit: limit, holder: "the lab service")
            }
        }
    }

    /// The lab, if it is ready or stopped: the only states a checkpoint's work may start from.
    private func resting(_ id: LabInstanceID, for operation: String) async throws -> LabInstance {
        guard let instance = try await instances.find(id: id) else { throw ProvisioningError.unknownInstance(id.rawValue) }
        guard [.ready, .stopped].contains(instance.state) else {
            throw ProvisioningError.notAllowed(operation: operation, state: instance.state.rawValue)
        }
        return instance
    }

    private func saved(_ name: String, of id: LabInstanceID) async throws -> LabCheckpoint {
        guard let checkpoint = try await checkpoints.list(instanceID: id).first(where: { $0.name == name && $0.status == .saved }) else {
            throw ProvisioningError.unknownCheckpoint(name)
        }
        return checkpoint
    }

    private func environment(of instance: LabInstance) async throws -> LabCore.Environment {
        guard let environment = try await environments.find(id: instance.environmentID) else {
            throw ProvisioningError.unknownEnvironment(instance.environmentID.rawValue)
        }
        return environment
    }

    /// Saves the instance moved to `state` and queues its work; a change meanwhile is refused
    /// as a conflict (the caller's marks are undone, and the person tries again).
    private func move(_ instance: LabInstance, to state: LabInstanceState) async throws -> LabInstance {
        var next = instance
        try next.transition(to: state, at: clock.now())
        let saved = try await instances.save(next)
        try await enqueue(instance.id)
        return saved
    }

    /// The label trimmed: 1 to 60 characters, none of them control characters.
    static func checked(_ label: String) throws(ProvisioningError) -> String {
        let trimmed = label.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalidCheckpointLabel("is empty; say what the lab holds at this point") }
        guard trimmed.count <= 60 else { throw .invalidCheckpointLabel("is \(trimmed.count) characters long; 60 at most") }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalidCheckpointLabel("has a control character; use plain text")
        }
        return trimmed
    }
}
