import Foundation
import LabCore
import WebSupport

/// A teacher's pending Deep Linking request: what the platform asked for and where the
/// answer goes, kept for half an hour under a random id while the teacher chooses.
public struct DeepLinkingRequest: Codable, Sendable {
    public var id: String
    public var platformID: PlatformID
    public var issuer: String
    public var clientID: String
    public var deploymentID: String
    public var returnURL: String
    public var acceptMultiple: Bool
    public var data: String?
    public var userID: UserID
    public var courseID: CourseID

    static let lifetime = Duration.seconds(1800)

    static func storeKey(_ id: String) -> String { "lti:deep-link:" + id }

    static func store(_ launch: ValidatedLaunch, userID: UserID, courseID: CourseID, in ephemeral: any EphemeralStore) async throws -> DeepLinkingRequest {
        let settings = launch.claims.deepLinkingSettings!  // checked by the validator
        let request = DeepLinkingRequest(
            id: RandomToken.make(), platformID: launch.platform.id, issuer: launch.platform.issuer, clientID: launch.platform.clientID,
            deploymentID: launch.deploymentID, returnURL: settings.returnURL, acceptMultiple: settings.acceptMultiple,
            data: settings.data, userID: userID, courseID: courseID)
        try await ephemeral.set(storeKey(request.id), to: String(decoding: try JSONEncoder().encode(request), as: UTF8.self), ttl: lifetime)
        return request
    }

    static func load(_ id: String, from ephemeral: any EphemeralStore) async throws -> DeepLinkingRequest? {
        guard let text = try await ephemeral.get(storeKey(id)) else { return nil }
        return try? JSONDecoder().decode(DeepLinkingRequest.self, from: Data(text.utf8))
    }
}
