/// People known from launches.
public protocol UserRepository: Sendable {
    /// The user with this (platform, subject), created if new; name and email are refreshed
    /// from `user` when it carries them. Concurrent calls for one person yield one user.
    func upsert(_ user: User) async throws -> User
    /// The user with this id.
    func find(id: UserID) async throws -> User?
}
