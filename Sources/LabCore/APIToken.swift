import Foundation

public typealias APITokenID = Identifier<APIToken>

/// A bearer token of the admin REST API as LabGate keeps it: the secret only as its hash.
public struct APIToken: Sendable, Hashable, Codable {
    /// What a token may do; each scope includes the ones before it.
    public enum Scope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Read everything.
        case read
        /// Also act on instances, environments, courses and jobs.
        case write
        /// Also manage platforms, quotas and tokens.
        case admin

        public static func < (lhs: Scope, rhs: Scope) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var id: APITokenID
    /// Unique, chosen by the admin who made it (`ci-exporter`).
    public var name: String
    public var scope: Scope
    /// SHA-256 of the secret part, lower-case hex.
    public var secretHash: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(
        id: APITokenID = .random(), name: String, scope: Scope, secretHash: String, createdAt: Date, expiresAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the token opens the API at `date`: not revoked and not expired.
    public func isValid(at date: Date) -> Bool {
        (revokedAt.map { $0 > date } ?? true) && (expiresAt.map { $0 > date } ?? true)
    }
}
