import Foundation

/// How LabGate reaches one platform's Moodle web services: the site's address and a
/// web-service token, kept sealed (`AtRestSealing`) so a reader of the database cannot use it.
public struct WebServiceAccess: Sendable, Hashable, Codable {
    public var platformID: PlatformID
    /// The site's wwwroot, e.g. https://moodle.example.edu (the REST endpoint is below it).
    public var siteURL: String
    public var sealedToken: String
    public var updatedAt: Date

    public init(platformID: PlatformID, siteURL: String, sealedToken: String, updatedAt: Date) {
        self.platformID = platformID
        self.siteURL = siteURL
        self.sealedToken = sealedToken
        self.updatedAt = updatedAt
    }
}

/// Where each platform's web-service access is kept (at most one per platform).
public protocol WebServiceAccessRepository: Sendable {
    /// Stores or replaces the access of its platform.
    func save(_ access: WebServiceAccess) async throws
    func find(platformID: PlatformID) async throws -> WebServiceAccess?
    func list() async throws -> [WebServiceAccess]
    /// Forgets a platform's access; returns false when there was none.
    func remove(platformID: PlatformID) async throws -> Bool
}
