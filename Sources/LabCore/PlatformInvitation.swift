import Foundation

/// A one-time invitation to register a platform by Dynamic Registration: the registration
/// that presents it is active at once, instead of waiting for an admin's approval. Only a
/// hash of its secret is kept.
public struct PlatformInvitation: Sendable, Hashable {
    public var secretHash: String
    public var createdAt: Date
    public var expiresAt: Date
    /// When a registration used it, and the issuer that did; nil while it is still open.
    public var usedAt: Date?
    public var usedBy: String?

    /// How long an invitation works when its maker does not say: a week.
    public static let defaultLifetimeHours = 168

    public init(secretHash: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil, usedBy: String? = nil) {
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.usedBy = usedBy
    }

    /// Whether a registration may still use it at `date`.
    public func isOpen(at date: Date) -> Bool { usedAt == nil && date < expiresAt }
}

/// Where the invitations are kept.
public protocol PlatformInvitationRepository: Sendable {
    func insert(_ invitation: PlatformInvitation) async throws
    func find(secretHash: String) async throws -> PlatformInvitation?
    /// Marks the invitation used by `issuer`, if it is still open at `date`; false when it was
    /// used (by a concurrent registration, say) or expired meanwhile.
    func redeem(secretHash: String, by issuer: String, at date: Date) async throws -> Bool
}
