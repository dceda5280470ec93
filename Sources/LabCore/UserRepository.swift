/// People known from launches.
public protocol UserRepository: Sendable {
    /// The user with this (issuer of the platform, subject), whichever of the issuer's
    /// registrations `user.platformID` names, created if new; name and email are refreshed
    /// from `user` when it carries them. Concurrent calls for one person yield one user.
    func upsert(_ user: User) async throws -> User
    /// The user with this id.
    func find(id: UserID) async throws -> User?
}
