/// The quotas admins set.
public protocol QuotaRepository: Sendable {
    /// Every quota, by scope.
    func list() async throws -> [Quota]
    /// The quota of this scope, if one is set.
    func find(_ scope: Quota.Scope) async throws -> Quota?
    /// Sets the quota of its scope, replacing the previous one.
    func save(_ quota: Quota) async throws
    /// Removes the quota of this scope; false if there was none.
    func remove(_ scope: Quota.Scope) async throws -> Bool
}
