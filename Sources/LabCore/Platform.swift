import Foundation

public typealias PlatformID = Identifier<Platform>

/// An LTI 1.3 platform (a Moodle site, say): one issuer and one client id registered with it.
public struct Platform: Sendable, Hashable, Codable {
    /// Whether launches from the platform are accepted yet.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Registered dynamically and waiting for an admin to approve it.
        case pending
        case active
    }

    public var id: PlatformID
    public var issuer: String
    public var clientID: String
    public var authURL: String
    public var tokenURL: String
    public var jwksURL: String
    public var status: Status
    public var createdAt: Date

    public init(
        id: PlatformID = .random(), issuer: String, clientID: String, authURL: String,
        tokenURL: String, jwksURL: String, status: Status = .active, createdAt: Date
    ) {
        self.id = id
        self.issuer = issuer
        self.clientID = clientID
        self.authURL = authURL
        self.tokenURL = tokenURL
        self.jwksURL = jwksURL
        self.status = status
        self.createdAt = createdAt
    }
}
