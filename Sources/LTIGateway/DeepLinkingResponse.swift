import Foundation
import JOSE
import LabCore
import WebSupport

/// The signed `LtiDeepLinkingResponse` (Deep Linking 2.0 §4.5) that returns a teacher's
/// choice of environments to the platform as resource links.
struct DeepLinkingResponse: Encodable {
    struct ContentItem: Encodable {
        var type = "ltiResourceLink"
        var title: String
        var text: String
        var url: String
        var custom: [String: String]
        /// The gradebook column the platform makes with the link (Deep Linking §3.4.6), so
        /// grades have a place from the start: a dynamically registered tool gets none otherwise.
        var lineItem: LineItem
    }

    /// A gradebook column as a content item declares it.
    struct LineItem: Encodable {
        var label: String
        var scoreMaximum: Double
        var resourceId: String
        var tag = AssignmentGrades.tag
    }

    var iss: String
    var aud: String
    var iat: Int
    var exp: Int
    var nonce: String
    var deploymentID: String
    var contentItems: [ContentItem]
    var data: String?
    var messageType = "LtiDeepLinkingResponse"
    var version = "1.3.0"

    enum CodingKeys: String, CodingKey {
        case iss, aud, iat, exp, nonce
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case contentItems = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
        case data = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    }

    /// - Parameter items: each chosen environment with the activity LabGate made for it.
    init(request: DeepLinkingRequest, items: [(environment: Environment, activity: Activity)], launchURL: String, now: Date) {
        iss = request.clientID
        aud = request.issuer
        iat = Int(now.timeIntervalSince1970)
        exp = iat + Int(ToolKeyRing.tokenLifetime.components.seconds)
        nonce = RandomToken.make()
        deploymentID = request.deploymentID
        data = request.data
        contentItems = items.map { environment, activity in
            ContentItem(
                title: environment.title, text: "Virtual lab: \(environment.title)", url: launchURL,
                custom: ["environment": environment.name, Activity.customParameter: activity.id.rawValue],
                lineItem: LineItem(label: environment.title, scoreMaximum: GradePassback.scoreMaximum, resourceId: activity.id.rawValue))
        }
    }

    /// The response as a compact JWS signed with the tool's current key.
    func signed(with key: RSASigningKey) throws -> String {
        try CompactJWS.sign(payload: try JSONEncoder().encode(self), with: key)
    }
}
