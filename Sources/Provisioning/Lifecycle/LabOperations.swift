import Foundation
import LabCore

/// What people ask of lab instances: one for a student, start, stop, reset, delete. Each
/// request saves the wanted state and leaves the work to a job, so it answers at once and
/// survives the process that took it. The one implementation of `LabRequests`.
public struct LabOperations: LabRequests {
    public typealias Operation = LabOperation

    let instances: any LabInstanceRepository
    let environments: any EnvironmentRepository
    let checkpoints: any LabCheckpointRepository
    let admission: LaunchAdmission
    let queue: any JobQueue
    let clock: any WallClock
    /// Where requests that name an actor are audited; the reconciler writes there too.
    public let audit: AuditTrail

    /// - Parameters:
    ///   - lock: where new labs under a quota take turns (`LaunchAdmission`); the backends'
    ///     ephemeral store wherever quotas must hold.
    ///   - audit: the trail with the wiring's policy for events that cannot be written; by
    ///     default such events are dropped silently (tests, benchmarks).
    public init(
        repositories: Repositories, queue: any JobQueue, lock: (any EphemeralStore)? = nil, audit: AuditTrail? = nil,
        clock: any WallClock = SystemClock()
    ) {
        self.instances = repositories.instances
        self.environments = repositories.environments
        self.checkpoints = repositories.checkpoints
        self.admission = LaunchAdmission(repositories: repositories, lock: lock)
        self.queue = queue
        self.clock = clock
        self.audit = audit ?? AuditTrail(log: repositories.audit) { _, _ in }
    }

    public func request(_ request: LabRequest) async throws -> (instance: LabInstance, created: Bool) {
        if let known = request.known, known.userID == request.userID, known.environmentID == request.environment.id {
            return (try await resumed(known, if: request.resume), false)
        }
        let now = clock.now()
        let event = request.actor.map { actor in
            AuditEvent(
                at: now, actor: actor, action: "instance.request", subject: "environment/\(request.environment.name)",
                courseID: request.courseID, address: request.address)
        }
        let instance: LabInstance
        let created: Bool
        do {
            (instance, created) = try await admission.findOrCreate(
                userID: request.userID, environment: request.environment, courseID: request.courseID, at: now, giveUpAt: request.giveUpAt)
        } catch let refusal as LaunchRefusal {
            if var refused = event {
                refused.outcome = .refused
                refused.detail = refusal.message
                await audit.record(refused)
            }
            throw refusal
        }
        guard created else { return (try await resumed(instance, if: request.resume), false) }
        try await enqueue(instance.id)
        if var made = event {
            made.subject = "instance/\(instance.id)"
            await audit.record(made)
        }
        return (instance, true)
    }

    /// `request` by environment name, for callers that audit themselves.
    public func request(userID: UserID, environmentName: String, courseID: CourseID? = nil) async throws -> (instance: LabInstance, created: Bool) {
        guard let environment = try await environments.find(name: environmentName) else {
            throw ProvisioningError.unknownEnvironment(environmentName)
        }
        return try await request(LabRequest(userID: userID, environment: environment, courseID: courseID))
    }

    /// A stopped lab its student opens is started (a job does the work); any other state is
    /// left as it is (a failed lab waits for the student's retry). Someone else's change
    /// meanwhile (a teacher, the reconciler) stands.
    private func resumed(_ found: LabInstance, if resume: Bool) async throws -> LabInstance {
        let instance = try await taken(found)
        guard resume, instance.state == .stopped else { return instance }
        do {
            return try await perform(.start, on: instance.id)
        } catch ProvisioningError.notAllowed {
            return try await instances.find(id: instance.id) ?? instance
        }
    }

    /// A lab prepared for its student's class is theirs from their first launch: no longer
    /// removed with the class's unclaimed labs.
    private func taken(_ instance: LabInstance) async throws -> LabInstance {
        var current = instance
        for _ in 0..<5 {
            guard current.preparedFor != nil, !current.isSpare else { return current }
            var taken = current
            taken.preparedFor = nil
            do {
                return try await instances.save(taken)
            } catch StoreError.conflict {
                guard let reloaded = try await instances.find(id: instance.id) else { return current }
                current = reloaded
            }
        }
        throw StoreError.conflict("lab instance \(instance.id) is changing too fast; try again")
    }

    /// Asks for `operation` on the instance; returns it as saved (already on its way).
    public func perform(_ operation: Operation, on id: LabInstanceID) async throws -> LabInstance {
        guard let instance = try await perform(operation, on: id, if: { _ in true }) else { throw ProvisioningError.unknownInstance(id.rawValue) }
        return instance
    }

    /// `perform`, while the instance as read still meets `condition` (nil when it does not), each
    /// retry after a conflicting save checking it again.
    func perform(_ operation: Operation, on id: LabInstanceID, if condition: (LabInstance) -> Bool) async throws -> LabInstance? {
        for _ in 0..<5 {
            guard var instance = try await instances.find(id: id) else { throw ProvisioningError.unknownInstance(id.rawValue) }
            guard condition(instance) else { return nil }
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

    /// Stops a ready lab for `reason` (left idle, its longest session), which its student reads
    /// on its page; audited as the reconciler's. A lab that moved meanwhile is left as it is.
    public func pause(_ id: LabInstanceID, reason: String) async throws -> LabInstance? {
        guard var instance = try await instances.find(id: id), instance.state == .ready else { return nil }
        try instance.transition(to: .stopping, at: clock.now())
        instance.pauseReason = reason
        let saved = try await instances.save(instance)
        try await enqueue(id)
        await audit.record(
            AuditEvent(at: clock.now(), actor: "reconciler", action: "instance.pause", subject: "instance/\(id)", detail: reason, courseID: instance.courseID))
        return saved
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
