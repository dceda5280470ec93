import Crypto
import Foundation
import Hummingbird
import JOSE
import NIOConcurrencyHelpers
import NIOCore
import WebEncoding

/// An LTI 1.3 platform for tests, the demo and `labgate bench launch`: it holds RSA keys,
/// publishes them as a JWKS, answers OIDC authentication requests with real RS256
/// id_tokens auto-posted to the tool, and accepts Dynamic Registration and Deep Linking
/// returns — the parts of Moodle that LabGate talks to.
public final class PlatformSim: Sendable {
    public let clientID: String
    public let deploymentID: String
    /// The bearer token its registration endpoint expects.
    public let registrationToken: String

    private struct State {
        var baseURL = ""
        var keys: [RSASigningKey]
        var scenarios: [String: LaunchScenario] = [:]
        var keySetFetches = 0
        var registrations: [JSONValue] = []
        var deepLinkingReturns: [String] = []
    }

    private let state: NIOLockedValueBox<State>
    /// The gradebook and its services (AGS), with Moodle's rules.
    public let gradebook = SimGradebook()
    /// Moodle's web services (roles, groups, calendar, messages), with Moodle's protocol.
    public let moodle = SimMoodleSite()
    /// The course shown to people, if any (`offer(_:)`).
    let course = NIOLockedValueBox<CourseOffering?>(nil)

    public init(clientID: String = "labgate-client", deploymentID: String = "deployment-1") throws {
        self.clientID = clientID
        self.deploymentID = deploymentID
        self.registrationToken = Data((0..<24).map { _ in UInt8.random(in: .min ... .max) }).base64URLEncodedString()
        self.state = NIOLockedValueBox(State(keys: [try RSASigningKey.generate(kid: "platform-key-1")]))
    }

    /// The issuer: the address the platform is served at, set when it starts.
    public var issuer: String { state.withLockedValue(\.baseURL) }
    public var authURL: String { issuer + "/auth" }
    public var tokenURL: String { issuer + "/token" }
    public var jwksURL: String { issuer + "/jwks" }
    public var openIDConfigurationURL: String { issuer + "/.well-known/openid-configuration" }

    /// How many times its JWKS was fetched.
    public var keySetFetches: Int { state.withLockedValue(\.keySetFetches) }
    /// The registration requests tools posted, as JSON.
    public var registrations: [JSONValue] {
        state.withLockedValue(\.registrations)
    }
    /// The Deep Linking response JWTs posted back to it.
    public var deepLinkingReturns: [String] { state.withLockedValue(\.deepLinkingReturns) }

    /// Adds a new signing key. With `keepOld` the previous key stays published (a careful
    /// rotation); without it, it disappears at once.
    public func rotateKey(keepOld: Bool = true) throws {
        let key = try RSASigningKey.generate(kid: "platform-key-\(UUID().uuidString.prefix(8))")
        state.withLockedValue { $0.keys = (keepOld ? $0.keys : []) + [key] }
    }

    /// Where the tool publishes its keys: the token endpoint checks client assertions with them.
    public func trustTool(keySetURL: String) {
        gradebook.toolKeySetURL.withLockedValue { $0 = keySetURL }
    }

    /// Registers a scenario and returns the `lti_message_hint` that selects it.
    public func prepare(_ scenario: LaunchScenario) -> String {
        let hint = UUID().uuidString
        state.withLockedValue { $0.scenarios[hint] = scenario }
        return hint
    }

    /// The routes of the platform.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("jwks") { _, _ in try self.keySetResponse() }
        router.get("auth") { request, _ in self.authorizationResponse(Self.fields(request.uri.query ?? "")) }
        router.post("auth") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            return self.authorizationResponse(Self.fields(String(buffer: body)))
        }
        router.get(".well-known/openid-configuration") { _, _ in try Self.json(self.openIDConfiguration()) }
        router.post("register") { request, _ in try await self.register(request) }
        gradebook.routes(on: router, platform: self)
        moodle.routes(on: router)
        addCourseRoutes(to: router)
        router.post("deep-link-return") { request, _ in
            var request = request
            let fields = Self.fields(String(buffer: try await request.collectBody(upTo: 64 * 1024)))
            if let jwt = fields["JWT"] { self.state.withLockedValue { $0.deepLinkingReturns.append(jwt) } }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "received")))
        }
        return router
    }

    private func keySetResponse() throws -> Response {
        let keys = state.withLockedValue { state -> [RSASigningKey] in
            state.keySetFetches += 1
            return state.keys
        }
        return try Self.json(JSONWebKeySet(keys: try keys.map { try $0.publicJWK() }))
    }

    /// The OIDC authentication endpoint: checks the request as a platform would and answers
    /// the auto-posting form that carries the signed id_token to the tool.
    func authorizationResponse(_ query: [String: String]) -> Response {
        do {
            let form = try authorize(query)
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: HTMLForm.autoPosting(action: form.action, fields: form.fields))))
        } catch {
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "\(error)")))
        }
    }

    /// What the authentication endpoint posts to the tool for the tool's login redirect to `location`.
    public func authorize(redirectedTo location: String) throws -> HTMLForm {
        let query = URLComponents(string: location)?.queryItems ?? []
        return try authorize(Dictionary(query.map { ($0.name, $0.value ?? "") }) { $1 })
    }

    /// What the authentication endpoint posts to the tool for this request.
    public func authorize(_ query: [String: String]) throws -> HTMLForm {
        // A prepared launch is used once, as a platform's message hint would be.
        guard let hint = query["lti_message_hint"], let scenario = state.withLockedValue({ $0.scenarios.removeValue(forKey: hint) }) else {
            throw PlatformSimError.badAuthenticationRequest("lti_message_hint does not name a prepared launch")
        }
        let expected = [
            "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
            "client_id": scenario.registration?.clientID ?? clientID,
        ]
        for (name, value) in expected where query[name] != value {
            throw PlatformSimError.badAuthenticationRequest("\(name) must be \(value), not \(query[name] ?? "missing")")
        }
        guard let redirect = query["redirect_uri"], let nonce = query["nonce"], let stateValue = query["state"] else {
            throw PlatformSimError.badAuthenticationRequest("redirect_uri, nonce and state are required")
        }
        guard query["login_hint"] == scenario.subject else {
            throw PlatformSimError.badAuthenticationRequest("login_hint was not echoed unchanged")
        }
        let token = try idToken(for: scenario, nonce: nonce, targetLinkURI: redirect)
        return HTMLForm(action: redirect, fields: [("id_token", token), ("state", stateValue)])
    }

    /// The claims a platform sends for the scenario, signed as the scenario says.
    public func idToken(for scenario: LaunchScenario, nonce: String, targetLinkURI: String, now: Date = Date()) throws -> String {
        var claims = self.claims(for: scenario, nonce: nonce, targetLinkURI: targetLinkURI, now: now)
        scenario.tamper?(&claims)
        let payload = try JSONEncoder().encode(claims)
        let key = state.withLockedValue { $0.keys.last! }
        return try TokenForger.sign(payload: payload, key: key, as: scenario.signing)
    }

    private func claims(for scenario: LaunchScenario, nonce: String, targetLinkURI: String, now: Date) -> [String: JSONValue] {
        let lti = "https://purl.imsglobal.org/spec/lti/claim/"
        let seconds = Int(now.timeIntervalSince1970)
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(scenario.registration?.clientID ?? clientID),
            "azp": .string(scenario.registration?.clientID ?? clientID), "sub": .string(scenario.subject),
            "iat": .number(Double(seconds)), "exp": .number(Double(seconds + 300)), "nonce": .string(nonce),
            lti + "message_type": .string(scenario.messageType), lti + "version": "1.3.0",
            lti + "deployment_id": .string(scenario.registration?.deploymentID ?? deploymentID), lti + "target_link_uri": .string(targetLinkURI),
            lti + "roles": .array(scenario.roles.map(JSONValue.string)),
            lti + "context": ["id": .string(scenario.contextID), "title": .string(scenario.contextTitle), "label": "NET101"],
            lti + "custom": .object(scenario.custom.mapValues(JSONValue.string)),
        ]
        if let name = scenario.name { claims["name"] = .string(name) }
        if let email = scenario.email { claims["email"] = .string(email) }
        if scenario.messageType == "LtiDeepLinkingRequest" {
            var settings: [String: JSONValue] = [
                "deep_link_return_url": .string(scenario.deepLinkReturnURL ?? issuer + "/deep-link-return"), "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "accept_multiple": .bool(scenario.acceptMultiple),
            ]
            if let data = scenario.deepLinkingData { settings["data"] = .string(data) }
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = .object(settings)
        } else {
            claims[lti + "resource_link"] = ["id": .string(scenario.resourceLinkID), "title": .string(scenario.resourceLinkTitle)]
            if scenario.gradeService {
                claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = gradebook.endpointClaim(issuer, resourceLinkID: scenario.resourceLinkID)
            }
        }
        if scenario.rosterService {
            claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = [
                "context_memberships_url": .string(gradebook.membershipsURL(issuer)), "service_versions": ["2.0"],
            ]
        }
        gradebook.launched(scenario)
        return claims
    }

    private func openIDConfiguration() -> JSONValue {
        [
            "issuer": .string(issuer), "authorization_endpoint": .string(authURL), "token_endpoint": .string(tokenURL),
            "jwks_uri": .string(jwksURL), "registration_endpoint": .string(issuer + "/register"),
            "scopes_supported": ["openid"], "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": [
                "product_family_code": "labgate-platform-sim", "version": "1.0",
                "messages_supported": [["type": "LtiResourceLinkRequest"], ["type": "LtiDeepLinkingRequest"]],
            ],
        ]
    }

    /// The registration endpoint: checks the bearer token and the fields Moodle requires.
    private func register(_ request: Request) async throws -> Response {
        guard request.headers[.authorization] == "Bearer \(registrationToken)" else {
            return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "bad registration token")))
        }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let registration = try JSONDecoder().decode(JSONValue.self, from: body)
        let required = [
            "application_type", "response_types", "grant_types", "initiate_login_uri", "redirect_uris", "client_name",
            "jwks_uri", "token_endpoint_auth_method", "https://purl.imsglobal.org/spec/lti-tool-configuration",
        ]
        if let missing = required.first(where: { registration[$0] == nil }) {
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "missing \(missing)")))
        }
        let number = state.withLockedValue { state -> Int in
            state.registrations.append(registration)
            return state.registrations.count
        }
        return try Self.json(
            [
                "client_id": .string("registered-client-\(number)"),
                "https://purl.imsglobal.org/spec/lti-tool-configuration": ["deployment_id": .string("registered-deployment-\(number)")],
            ] as JSONValue)
    }

    static func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    static func fields(_ text: String) -> [String: String] {
        Dictionary(FormURLEncoding.decode(text)) { first, _ in first }
    }

    func setBaseURL(_ url: String) {
        state.withLockedValue { $0.baseURL = url }
        moodle.baseURL.withLockedValue { $0 = url }
    }
}

/// A request the test platform refused.
public enum PlatformSimError: Error, CustomStringConvertible {
    case badAuthenticationRequest(String)
    case unexpectedResponse(String)

    public var description: String {
        switch self {
        case .badAuthenticationRequest(let why): "bad authentication request: \(why)"
        case .unexpectedResponse(let what): "unexpected response: \(what)"
        }
    }
}
