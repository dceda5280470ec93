import Foundation

public typealias UserID = Identifier<User>

/// A person as one platform knows them: the pair (issuer, `sub`) is their identity;
/// `platformID` is the registration they were first seen through (or another of its issuer's).
public struct User: Sendable, Hashable, Codable {
    public var id: UserID
    public var platformID: PlatformID
    public var subject: String
    public var name: String?
    public var email: String?

    public init(id: UserID = .random(), platformID: PlatformID, subject: String, name: String? = nil, email: String? = nil) {
        self.id = id
        self.platformID = platformID
        self.subject = subject
        self.name = name
        self.email = email
    }
}
