import Foundation
import LabCore

/// What people ask of lab instances: one for a student, start, stop, reset, delete. Each
/// request saves the wanted state and leaves the work to a job, so it answers at once and
/// survives the process that took it.
public struct LabOperations: Sendable {
    /// What can be asked of an existing instance.
    public enum Operation: String, Sendable, CaseIterable {
        case start, stop, reset, delete
    }

    let instances: any LabInstanceRepository
    let environments: any EnvironmentRepository
    let admission: LaunchAdmission
    let queue: any JobQueue
    let clock: any WallClock

    /// - Parameter lock: where new labs under a quota take turns (`LaunchAdmission`); the
    ///   backends' ephemeral store wherever quotas must hold.
    public init(repositories: Repositories, queue: any JobQueue, lock: (any EphemeralStore)? = nil, clock: any WallClock = SystemClock()) {
        self.instances = repositories.instances
        self.environments = repositories.environments
        self.admission = LaunchAdmission(repositories: repositories, lock: lock)
        self.queue = queue
        self.clock = clock
    }

    /// The user's instance of the environment, created and set going if they have none
    /// live. Two requests at once yield one instance (the database's unique key decides).
    /// `courseID` names the course asking: its settings, time windows and quotas apply.
    /// Throws `LaunchRefusal` when a new instance is not admitted.
    public func request(userID: UserID, environmentName: String, courseID: CourseID? = nil) async throws -> (instance: LabInstance, created: Bool) {
        guard let environment = try await environments.find(name: environmentName) else {
            throw ProvisioningError.unknownEnvironment(environmentName)
        }
        let (instance, created) = try await admission.findOrCreate(userID: userID, environment: environment, courseID: courseID, at: clock.now())
        if created { try await enqueue(instance.id) }
        return (instance, created)
    }

    /// Asks for `operation` on the instance; returns it as saved (already on its way).
    public func perform(_ operation: Operation, on id: LabInstanceID) async throws -> LabInstance {
        for _ in 0..<5 {
            guard var instance = try await instances.find(id: id) else { throw ProvisioningError.unknownInstance(id.rawValue) }
            guard let target = Self.target(of: operation, from: instance.state) else {
                throw ProvisioningError.notAllowed(operation: operation.rawValue, state: instance.state.rawValue)
            }
            if target == instance.state { return instance }
            try instance.transition(to: target, at: clock.now())
            do {
                let saved = try await instances.save(instance)
                try await enqueue(id)
                return saved
            } catch StoreError.conflict {
                continue
            }
        }
        throw StoreError.conflict("lab instance \(id) is changing too fast; try again")
    }

    /// Puts the instance's next steps on the queue.
    public func enqueue(_ id: LabInstanceID) async throws {
        try await queue.enqueue(.advance(id))
    }

    /// The state an operation moves to from `state`: the same state when it is on its way
    /// there already, nil when the operation makes no sense.
    static func target(of operation: Operation, from state: LabInstanceState) -> LabInstanceState? {
        switch (operation, state) {
        case (.start, .stopped): .starting
        case (.start, .failed): .requested
        case (.start, .requested), (.start, .allocating), (.start, .cloning), (.start, .configuring), (.start, .starting),
             (.start, .waitingForAddress), (.start, .ready), (.start, .resetting):
            state
        case (.stop, .ready), (.stop, .starting), (.stop, .waitingForAddress): .stopping
        case (.stop, .stopping), (.stop, .stopped): state
        case (.reset, .ready), (.reset, .stopped): .resetting
        case (.reset, .resetting): state
        case (.delete, .deleting): state
        case (.delete, let state) where state.isLive: .deleting
        default: nil
        }
    }
}
