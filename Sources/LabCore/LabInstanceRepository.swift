/// Lab instances and the steps workers ran on them.
public protocol LabInstanceRepository: Sendable {
    /// The user's live instance of the environment, or `candidate` stored as new if there is
    /// none. Idempotent under concurrency: a double click yields one instance.
    func findOrCreate(_ candidate: LabInstance) async throws -> (instance: LabInstance, created: Bool)
    /// The instance with this id.
    func find(id: LabInstanceID) async throws -> LabInstance?
    /// Saves `instance` if the stored copy still has `instance.version`, and returns it with
    /// the version bumped; throws `StoreError.conflict` if another writer got there first.
    func save(_ instance: LabInstance) async throws -> LabInstance
    /// The instances in any of these states, oldest first, at most `limit`.
    func list(states: Set<LabInstanceState>, limit: Int) async throws -> [LabInstance]
    /// A page of the instances in any of these states, by id, starting after `after`: at most `limit`.
    func page(states: Set<LabInstanceState>, after: LabInstanceID?, limit: Int) async throws -> [LabInstance]
    /// The live instances of one course, oldest first.
    func list(courseID: CourseID) async throws -> [LabInstance]
    /// What the live instances of a scope hold, for quotas.
    func usage(of scope: UsageScope) async throws -> ResourceUsage
    /// The instances of one user, oldest first.
    func list(userID: UserID) async throws -> [LabInstance]
    /// Records a step, replacing the record of the same (instance, name).
    func record(_ step: LabInstanceStep) async throws
    /// The steps recorded for an instance, in the order they started.
    func steps(of instanceID: LabInstanceID) async throws -> [LabInstanceStep]
}

/// Whose live instances `LabInstanceRepository.usage(of:)` adds up.
public enum UsageScope: Sendable, Hashable {
    case all
    case course(CourseID)
    case user(UserID)
}
