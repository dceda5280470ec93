import Foundation

/// The claims of an LTI 1.3 id_token (LTI Core 1.3 §5, Deep Linking 2.0 §4.4), decoded
/// leniently where platforms differ (a single `aud` string, `accept_multiple` as text).
public struct LTIClaims: Codable, Sendable, Hashable {
    public var iss: String
    public var sub: String?
    public var aud: [String]
    public var azp: String?
    public var exp: Double
    public var iat: Double
    public var nonce: String?
    public var name: String?
    public var givenName: String?
    public var familyName: String?
    public var email: String?
    public var messageType: String?
    public var version: String?
    public var deploymentID: String?
    public var targetLinkURI: String?
    public var resourceLink: ResourceLink?
    public var roles: [String]?
    public var context: Context?
    public var custom: [String: String]
    public var deepLinkingSettings: DeepLinkingSettings?
    /// Where the launch's gradebook services are (AGS §3.1), when the platform offers them.
    public var gradeService: GradeServiceEndpoint?
    /// Where the course's members are listed (NRPS §3.6.1), when the platform offers it.
    public var rosterService: RosterServiceEndpoint?

    /// The NRPS claim.
    public struct RosterServiceEndpoint: Codable, Sendable, Hashable {
        public var contextMembershipsURL: String

        enum CodingKeys: String, CodingKey {
            case contextMembershipsURL = "context_memberships_url"
        }
    }

    /// The AGS endpoint claim: the scopes offered, the activity's column and the list of columns.
    public struct GradeServiceEndpoint: Codable, Sendable, Hashable {
        public var scope: [String]
        public var lineitems: String?
        public var lineitem: String?
    }

    /// The resource link (activity) that was clicked.
    public struct ResourceLink: Codable, Sendable, Hashable {
        public var id: String
        public var title: String?
    }

    /// The course the launch comes from.
    public struct Context: Codable, Sendable, Hashable {
        public var id: String
        public var label: String?
        public var title: String?
    }

    /// Where and how to return a Deep Linking choice.
    public struct DeepLinkingSettings: Codable, Sendable, Hashable {
        public var returnURL: String
        public var acceptTypes: [String]
        public var acceptMultiple: Bool
        public var data: String?

        enum CodingKeys: String, CodingKey {
            case returnURL = "deep_link_return_url"
            case acceptTypes = "accept_types"
            case acceptMultiple = "accept_multiple"
            case data
        }

        public init(returnURL: String, acceptTypes: [String], acceptMultiple: Bool, data: String?) {
            self.returnURL = returnURL
            self.acceptTypes = acceptTypes
            self.acceptMultiple = acceptMultiple
            self.data = data
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            returnURL = try container.decode(String.self, forKey: .returnURL)
            acceptTypes = try container.decodeIfPresent([String].self, forKey: .acceptTypes) ?? []
            if let flag = try? container.decodeIfPresent(Bool.self, forKey: .acceptMultiple) {
                acceptMultiple = flag
            } else {
                acceptMultiple = (try? container.decodeIfPresent(String.self, forKey: .acceptMultiple)) == "true"
            }
            data = try container.decodeIfPresent(String.self, forKey: .data)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(returnURL, forKey: .returnURL)
            try container.encode(acceptTypes, forKey: .acceptTypes)
            try container.encode(acceptMultiple, forKey: .acceptMultiple)
            try container.encodeIfPresent(data, forKey: .data)
        }
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, iat, nonce, name, email
        case givenName = "given_name"
        case familyName = "family_name"
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
        case resourceLink = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
        case roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
        case context = "https://purl.imsglobal.org/spec/lti/claim/context"
        case custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
        case deepLinkingSettings = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
        case gradeService = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
        case rosterService = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decodeIfPresent(String.self, forKey: .sub)
        if let single = try? container.decode(String.self, forKey: .aud) {
            aud = [single]
        } else {
            aud = try container.decode([String].self, forKey: .aud)
        }
        azp = try container.decodeIfPresent(String.self, forKey: .azp)
        exp = try container.decode(Double.self, forKey: .exp)
        iat = try container.decode(Double.self, forKey: .iat)
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        givenName = try container.decodeIfPresent(String.self, forKey: .givenName)
        familyName = try container.decodeIfPresent(String.self, forKey: .familyName)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        messageType = try container.decodeIfPresent(String.self, forKey: .messageType)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        deploymentID = try container.decodeIfPresent(String.self, forKey: .deploymentID)
        targetLinkURI = try container.decodeIfPresent(String.self, forKey: .targetLinkURI)
        resourceLink = try container.decodeIfPresent(ResourceLink.self, forKey: .resourceLink)
        roles = try container.decodeIfPresent([String].self, forKey: .roles)
        context = try container.decodeIfPresent(Context.self, forKey: .context)
        // Custom values are strings by the spec; a platform sending numbers should not break the launch.
        custom = (try? container.decodeIfPresent([String: String].self, forKey: .custom)) ?? [:]
        deepLinkingSettings = try container.decodeIfPresent(DeepLinkingSettings.self, forKey: .deepLinkingSettings)
        // A malformed service claim only means no grades, never a refused launch.
        gradeService = try? container.decodeIfPresent(GradeServiceEndpoint.self, forKey: .gradeService)
        rosterService = try? container.decodeIfPresent(RosterServiceEndpoint.self, forKey: .rosterService)
    }

    /// Written in the id_token's own shape, so a launch kept for a retry reads back as it came.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encodeIfPresent(sub, forKey: .sub)
        try container.encode(aud, forKey: .aud)
        try container.encodeIfPresent(azp, forKey: .azp)
        try container.encode(exp, forKey: .exp)
        try container.encode(iat, forKey: .iat)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(givenName, forKey: .givenName)
        try container.encodeIfPresent(familyName, forKey: .familyName)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(messageType, forKey: .messageType)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encodeIfPresent(deploymentID, forKey: .deploymentID)
        try container.encodeIfPresent(targetLinkURI, forKey: .targetLinkURI)
        try container.encodeIfPresent(resourceLink, forKey: .resourceLink)
        try container.encodeIfPresent(roles, forKey: .roles)
        try container.encodeIfPresent(context, forKey: .context)
        try container.encodeIfPresent(gradeService, forKey: .gradeService)
        try container.encodeIfPresent(rosterService, forKey: .rosterService)
        try container.encode(custom, forKey: .custom)
        try container.encodeIfPresent(deepLinkingSettings, forKey: .deepLinkingSettings)
    }

    /// The person's display name: `name`, or given and family name.
    public var displayName: String? {
        if let name, !name.isEmpty { return name }
        let joined = [givenName, familyName].compactMap { $0 }.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }
}
