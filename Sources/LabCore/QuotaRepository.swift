/// The quotas admins set.
public protocol QuotaRepository: Sendable {
    /// Every quota, by scope.
    func list() async throws -> [Quota]
    /// The quotas set for any of `scopes`, in one read.
    func find(_ scopes: [Quota.Scope]) async throws -> [Quota]
    /// Sets the quota of its scope, replacing the previous one.
    func save(_ quota: Quota) async throws
    /// Removes the quota of this scope; false if there was none.
    func remove(_ scope: Quota.Scope) async throws -> Bool
}

extension QuotaRepository {
    /// The quota of this scope, if one is set.
    public func find(_ scope: Quota.Scope) async throws -> Quota? {
        try await find([scope]).first
    }
}
