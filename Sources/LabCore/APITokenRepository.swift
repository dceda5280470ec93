import Foundation

/// The admin API's bearer tokens.
public protocol APITokenRepository: Sendable {
    /// Stores a new token; throws `StoreError.duplicate` if its name is taken.
    func insert(_ token: APIToken) async throws
    func find(id: APITokenID) async throws -> APIToken?
    /// Every token, revoked ones too, oldest first.
    func list() async throws -> [APIToken]
    /// Revokes the token named `name` from `date` on; returns false if there is no such live token.
    func revoke(name: String, at date: Date) async throws -> Bool
}
