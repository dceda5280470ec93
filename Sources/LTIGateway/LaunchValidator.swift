import Foundation
import JOSE
import LabCore
import WebEncoding
import WebSupport

/// Checks an id_token posted to `/lti/launch`, as an ordered list of named checks, each
/// with its own error. A launch passes only if every check does, and only then is its state
/// spent: nothing is written for one that does not.
struct LaunchValidator: Sendable {
    let directory: PlatformDirectory
    let keySets: KeySetCache
    let ephemeral: any EphemeralStore
    let box: SecretBox
    let settings: LTISettings

    /// The launch the form carries, or the first check it fails.
    /// - Parameter stateCookie: the value of the browser's cookie for this state.
    func validate(idToken: String?, state: String?, stateCookie: (String) -> String?, now: Date) async throws -> ValidatedLaunch {
        guard let state, !state.isEmpty else { throw LTIError.missingParameter("state") }
        guard let idToken, !idToken.isEmpty else { throw LTIError.missingParameter("id_token") }
        let login = try openState(state, cookie: stateCookie(LoginState.cookieName(state)), now: now)
        let token = try parseToken(idToken)
        let platform = try await registration(of: login)
        try await checkSignature(token, platform: platform.platform)
        let claims = try decodeClaims(token)
        try checkIssuer(claims, platform: platform.platform)
        try checkAudience(claims, clientID: platform.platform.clientID)
        try checkTimes(claims, now: now)
        try checkNonce(claims, issued: login.nonce)
        let deploymentID = try checkDeployment(claims, platform: platform)
        let messageType = try checkMessage(claims)
        let subject = try checkSubject(claims)
        let role = try checkRoles(claims)
        let context = try checkContext(claims)
        try await spend(login)
        return ValidatedLaunch(
            platform: platform.platform, claims: claims, messageType: messageType, role: role, subject: subject,
            deploymentID: deploymentID, context: context)
    }

    /// The state belongs to this browser, was sealed by a login of ours and is still good.
    func openState(_ state: String, cookie: String?, now: Date) throws(LTIError) -> LoginState {
        guard cookie == state else { throw .stateFromAnotherBrowser }
        guard let login = LoginState(sealed: state, box: box, now: now) else { throw .unknownState }
        return login
    }

    /// Marks the state used, in one atomic step with its own token (so a claim resent after a
    /// lost answer still wins): of two posts of one state, one passes. Kept past the state's
    /// end by the clock skew allowed, for gateways whose clocks run behind.
    func spend(_ login: LoginState) async throws {
        let ttl = LoginState.lifetime + settings.clockSkew
        guard try await ephemeral.claim(LoginState.spentKey(login.nonce), for: RandomToken.make(), ttl: ttl) else {
            throw LTIError.unknownState
        }
    }

    /// Three base64url parts with a JSON header.
    func parseToken(_ idToken: String) throws(LTIError) -> CompactJWS {
        do {
            return try CompactJWS(parsing: idToken)
        } catch {
            throw .malformedToken(Self.describe(error))
        }
    }

    /// The platform that started this login is still registered and approved.
    func registration(of login: LoginState) async throws -> PlatformDirectory.Entry {
        guard let entry = try await directory.find(issuer: login.issuer, clientID: login.clientID), entry.platform.id == login.platformID else {
            throw LTIError.unknownPlatform(issuer: login.issuer, clientID: login.clientID)
        }
        guard entry.platform.status == .active else { throw LTIError.platformPending(issuer: login.issuer) }
        return entry
    }

    /// RS256 only, by the platform key the header names.
    func checkSignature(_ token: CompactJWS, platform: Platform) async throws(LTIError) {
        guard token.header.alg == "RS256" else { throw .algorithmNotAllowed(token.header.alg) }
        guard let kid = token.header.kid, !kid.isEmpty else { throw .unknownKey(kid: nil) }
        let key = try await keySets.key(kid, keySetURL: platform.jwksURL)
        do {
            try token.verify(with: key)
        } catch {
            throw .badSignature
        }
    }

    /// The payload is a JSON object with the claims every launch has.
    func decodeClaims(_ token: CompactJWS) throws(LTIError) -> LTIClaims {
        try LTIClaims(payload: token.payload)
    }

    func checkIssuer(_ claims: LTIClaims, platform: Platform) throws(LTIError) {
        guard claims.iss == platform.issuer else { throw .wrongIssuer(claims.iss) }
    }

    /// LabGate's client id is an audience and no other audience is; `azp`, when present, is ours.
    func checkAudience(_ claims: LTIClaims, clientID: String) throws(LTIError) {
        guard claims.aud.contains(clientID), claims.aud.allSatisfy({ $0 == clientID }) else { throw .wrongAudience }
        if let azp = claims.azp, azp != clientID { throw .wrongAuthorizedParty }
    }

    func checkTimes(_ claims: LTIClaims, now: Date) throws(LTIError) {
        let skew = settings.clockSkew.timeInterval
        let seconds = now.timeIntervalSince1970
        guard claims.exp + skew > seconds else { throw .expired }
        guard claims.iat - skew <= seconds else { throw .issuedInTheFuture }
    }

    /// The nonce is the one issued with this state. It is spent with the state (`spend`): each
    /// nonce is sealed into one state only, so no nonce passes twice, without a round trip of
    /// its own to the ephemeral store.
    func checkNonce(_ claims: LTIClaims, issued: String) throws(LTIError) {
        guard let nonce = claims.nonce, nonce == issued else { throw .nonceMismatch }
    }

    func checkDeployment(_ claims: LTIClaims, platform: PlatformDirectory.Entry) throws(LTIError) -> String {
        guard let deploymentID = claims.deploymentID, !deploymentID.isEmpty else { throw .missingParameter("deployment_id") }
        guard platform.deployments.contains(deploymentID) else { throw .unknownDeployment(deploymentID) }
        return deploymentID
    }

    /// LTI 1.3.0, a message LabGate handles, with what that message needs, addressed to LabGate.
    func checkMessage(_ claims: LTIClaims) throws(LTIError) -> LTIMessageType {
        guard claims.version == "1.3.0" else { throw .wrongVersion(claims.version ?? "") }
        guard let type = claims.messageType.flatMap(LTIMessageType.init(rawValue:)) else {
            throw .unsupportedMessageType(claims.messageType ?? "")
        }
        switch type {
        case .resourceLink:
            guard let link = claims.resourceLink, !link.id.isEmpty else { throw .missingResourceLink }
            try Self.checkIdentifier(link.id, named: "resource link id")
            guard let target = claims.targetLinkURI, settings.owns(target) else { throw .foreignTarget(claims.targetLinkURI ?? "(none)") }
        case .deepLinking:
            guard let deepLinking = claims.deepLinkingSettings else { throw .missingDeepLinkingSettings }
            do {
                _ = try BrowserURL(deepLinking.returnURL, allowInsecureLoopback: settings.allowInsecureLoopback)
            } catch {
                throw .unsafeReturnURL(error)
            }
            if let target = claims.targetLinkURI, !settings.owns(target) { throw .foreignTarget(target) }
        }
        return type
    }

    func checkSubject(_ claims: LTIClaims) throws(LTIError) -> String {
        guard let subject = claims.sub, !subject.isEmpty else { throw .missingParameter("sub") }
        try Self.checkIdentifier(subject, named: "sub")
        return subject
    }

    /// LTI 1.3 and OpenID Connect bound the identifiers LabGate keys its records on
    /// (`sub`, the context's and the resource link's `id`) to 255 ASCII characters.
    static func checkIdentifier(_ value: String, named name: String) throws(LTIError) {
        guard value.utf8.count <= 255 else { throw .identifierTooLong(name) }
    }

    func checkRoles(_ claims: LTIClaims) throws(LTIError) -> LaunchRole {
        guard let roles = claims.roles else { throw .missingRoles }
        // A launch without any role LabGate knows is a guest in the course: a student.
        return LaunchRole(ltiRoles: roles) ?? .student
    }

    /// The course the launch comes from: LabGate maps every launch to one.
    func checkContext(_ claims: LTIClaims) throws(LTIError) -> LTIClaims.Context {
        guard let context = claims.context, !context.id.isEmpty else { throw .missingContext }
        try Self.checkIdentifier(context.id, named: "context id")
        return context
    }

    private static func describe(_ error: any Error) -> String {
        if let jose = error as? JOSEError, case .malformed(let what) = jose { return what }
        return String(describing: error)
    }
}
