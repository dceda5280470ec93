import Foundation
import LabCore
import WebEncoding
import WebSupport

/// LTI Dynamic Registration 1.0 (Moodle 3.10+): read the platform's OpenID configuration,
/// register LabGate with it, and keep the platform as pending until an admin approves it.
struct DynamicRegistration: Sendable {
    let http: OutboundHTTP
    let registry: PlatformRegistry
    let ephemeral: any EphemeralStore
    let invitations: PlatformInvitations
    let settings: LTISettings

    /// A registration's result: the platform, and what became of the invitation it presented.
    struct Outcome: Sendable {
        var platform: Platform
        var invitation: InvitationUse
    }

    /// What an invitation did for a registration.
    enum InvitationUse: Sendable {
        /// None was presented.
        case none
        /// It made the platform active.
        case accepted
        /// It was unknown, used or expired: the platform waits for approval as any other.
        case notValid
    }

    /// Anyone may start a registration, so each costs an outbound call and a row: at most
    /// this many per client address an hour, this many pending at once, each pending a day.
    static let perAddressPerHour: Int64 = 10
    static let maxPending = 20
    static let pendingLifetime: TimeInterval = 86_400

    /// Registers with the platform whose configuration is at `configurationURL`; with an open
    /// invitation the platform is active at once.
    func register(configurationURL: String, token: String?, invitation secret: String?, from address: String?, now: Date) async throws -> Outcome {
        let attempts = try await ephemeral.increment("register-rate:" + (address ?? "unknown"), by: 1, ttl: .seconds(3600))
        guard attempts <= Self.perAddressPerHour else { throw LTIError.tooManyRegistrations }
        let invitation = try await invitations.open(secret, at: now)
        // An invited registration will not wait for approval, so the cap on those waiting does not apply.
        if invitation == nil {
            guard try await pendingAfterExpiry(now: now) < Self.maxPending else { throw LTIError.tooManyRegistrations }
        }
        let configuration: PlatformConfiguration
        do {
            configuration = try await http.getJSON(PlatformConfiguration.self, from: configurationURL, checkAddresses: true)
        } catch {
            throw LTIError.registrationUnreachable(url: Self.withoutUserInfo(configurationURL), detail: "\(error)")
        }
        // The issuer must live where the configuration came from, or anyone could register as any platform.
        guard let issuerHost = URL(string: configuration.issuer)?.host, issuerHost == URL(string: configurationURL)?.host else {
            throw LTIError.registrationRefused("the issuer \(configuration.issuer) is not on the host of its configuration URL")
        }
        do {
            _ = try BrowserURL(configuration.authorizationEndpoint, allowInsecureLoopback: settings.allowInsecureLoopback)
        } catch {
            throw LTIError.registrationRefused("its authorization endpoint is not an address LabGate sends browsers to: \(error)")
        }
        let answer: RegistrationAnswer
        do {
            answer = try await http.postJSON(
                ToolRegistration(settings: settings), to: configuration.registrationEndpoint, bearer: token,
                decoding: RegistrationAnswer.self, checkAddresses: true)
        } catch .status(let code) {
            throw LTIError.registrationRefused("the platform did not accept the registration (it answered HTTP \(code)); start it again from the platform")
        } catch {
            throw LTIError.registrationUnreachable(url: Self.withoutUserInfo(configuration.registrationEndpoint), detail: "\(error)")
        }
        // Used only now that the platform accepted LabGate, so a failed registration does not spend it.
        var use = InvitationUse.none
        if let invitation {
            use = try await invitations.redeem(invitation, by: configuration.issuer, at: now) ? .accepted : .notValid
        } else if secret?.isEmpty == false {
            use = .notValid
        }
        let platform = Platform(
            issuer: configuration.issuer, clientID: answer.clientID, authURL: configuration.authorizationEndpoint,
            tokenURL: configuration.tokenEndpoint, jwksURL: configuration.jwksURI,
            status: settings.autoApproveRegistrations || use == .accepted ? .active : .pending, createdAt: now)
        let saved = try await registry.save(platform, deployments: answer.toolConfiguration?.deploymentID.map { [$0] } ?? [], now: now)
        return Outcome(platform: saved, invitation: use)
    }

    /// Drops the pending registrations no admin approved within a day; returns how many still wait.
    private func pendingAfterExpiry(now: Date) async throws -> Int {
        var waiting = 0
        for (platform, _) in try await registry.list() where platform.status == .pending {
            if now.timeIntervalSince(platform.createdAt) > Self.pendingLifetime {
                _ = try await registry.remove(id: platform.id)
            } else {
                waiting += 1
            }
        }
        return waiting
    }

    /// A URL for the log: what it carries before an `@` is dropped.
    static func withoutUserInfo(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? "(unreadable URL)"
    }
}

/// The parts of a platform's OpenID configuration LabGate needs.
struct PlatformConfiguration: Decodable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var jwksURI: String
    var registrationEndpoint: String

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case registrationEndpoint = "registration_endpoint"
    }
}

/// What LabGate asks the platform to register (LTI Dynamic Registration §3.3).
struct ToolRegistration: Encodable {
    var applicationType = "web"
    var responseTypes = ["id_token"]
    var grantTypes = ["implicit", "client_credentials"]
    var initiateLoginURI: String
    var redirectURIs: [String]
    var clientName = "LabGate"
    var jwksURI: String
    var tokenEndpointAuthMethod = "private_key_jwt"
    var scope = [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ].joined(separator: " ")
    var toolConfiguration: Configuration

    struct Configuration: Encodable {
        var domain: String
        var targetLinkURI: String
        var description = "Personal virtual machines for your course, in the browser."
        var claims = ["iss", "sub", "name", "given_name", "family_name", "email"]
        var messages: [Message]

        enum CodingKeys: String, CodingKey {
            case domain, description, claims, messages
            case targetLinkURI = "target_link_uri"
        }
    }

    struct Message: Encodable {
        var type: String
        var targetLinkURI: String?
        var label: String?

        enum CodingKeys: String, CodingKey {
            case type, label
            case targetLinkURI = "target_link_uri"
        }
    }

    enum CodingKeys: String, CodingKey {
        case scope
        case applicationType = "application_type"
        case responseTypes = "response_types"
        case grantTypes = "grant_types"
        case initiateLoginURI = "initiate_login_uri"
        case redirectURIs = "redirect_uris"
        case clientName = "client_name"
        case jwksURI = "jwks_uri"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case toolConfiguration = "https://purl.imsglobal.org/spec/lti-tool-configuration"
    }

    init(settings: LTISettings) {
        initiateLoginURI = settings.loginURL
        redirectURIs = [settings.launchURL]
        jwksURI = settings.keySetURL
        let components = URLComponents(string: settings.publicURL)
        let domain = (components?.host ?? "") + (components?.port.map { ":\($0)" } ?? "")
        toolConfiguration = Configuration(
            domain: domain, targetLinkURI: settings.launchURL,
            messages: [
                Message(type: LTIMessageType.resourceLink.rawValue),
                Message(type: LTIMessageType.deepLinking.rawValue, targetLinkURI: settings.launchURL, label: "LabGate virtual lab"),
            ])
    }
}

/// The platform's answer to a registration: the client id it assigned, and the deployment.
struct RegistrationAnswer: Decodable {
    var clientID: String
    var toolConfiguration: ToolConfiguration?

    struct ToolConfiguration: Decodable {
        var deploymentID: String?
        enum CodingKeys: String, CodingKey { case deploymentID = "deployment_id" }
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case toolConfiguration = "https://purl.imsglobal.org/spec/lti-tool-configuration"
    }
}
