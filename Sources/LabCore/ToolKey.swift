import Foundation

/// One of the tool's own RSA signing keys (Deep Linking responses, service tokens).
///
/// A key is published at `/lti/jwks` from the moment it is stored, signs only from
/// `activatesAt` (so platforms can fetch it first), and stays published until
/// `retiresAt`, after every token it signed has expired.
public struct ToolKey: Sendable, Hashable {
    /// The `kid` in the published JWKS and in the header of what it signs.
    public var kid: String
    /// The private key, encrypted with the configured secret; never the plain key.
    public var sealedPrivateKey: String
    public var createdAt: Date
    public var activatesAt: Date
    public var retiresAt: Date?

    public init(kid: String, sealedPrivateKey: String, createdAt: Date, activatesAt: Date, retiresAt: Date? = nil) {
        self.kid = kid
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
        self.activatesAt = activatesAt
        self.retiresAt = retiresAt
    }

    /// Whether the key belongs in the published key set at `date`.
    public func isPublished(at date: Date) -> Bool {
        retiresAt.map { date < $0 } ?? true
    }
}
