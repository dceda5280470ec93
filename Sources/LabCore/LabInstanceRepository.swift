import Foundation

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
    /// Hands a ready spare of `environmentID` in `courseID` to `userID`, atomically: the spare
    /// moves to `claiming`, owned by them and no longer a spare, or nil when no spare is left
    /// or the user has a live lab of the environment already. Never hands one spare twice.
    func claimSpare(environmentID: EnvironmentID, courseID: CourseID, for userID: UserID, at now: Date) async throws -> LabInstance?
    /// The live instances still prepared for `session` (not taken by a student yet), oldest first.
    func list(preparedFor session: ClassSessionID) async throws -> [LabInstance]
    /// How long the latest `limit` successful steps named `name` took, newest first.
    func recentDurations(ofStep name: String, limit: Int) async throws -> [TimeInterval]
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
