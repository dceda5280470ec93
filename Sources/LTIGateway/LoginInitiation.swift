import Foundation
import LabCore
import WebEncoding
import WebSupport

/// The first step of an LTI launch (OIDC third-party initiated login): check the platform,
/// issue a state and a nonce, and send the browser to the platform's authentication URL.
/// It writes nothing: the state carries what the launch needs (`LoginState`), so a flood of
/// logins fills no store.
struct LoginInitiation: Sendable {
    let directory: PlatformDirectory
    let box: SecretBox
    let settings: LTISettings

    /// Where to send the browser, and the state to bind to it with a cookie.
    struct Redirect: Sendable {
        var location: String
        var state: String
    }

    func start(_ parameters: [String: String], now: Date = Date()) async throws -> Redirect {
        func required(_ name: String) throws(LTIError) -> String {
            guard let value = parameters[name], !value.isEmpty else { throw .missingParameter(name) }
            return value
        }
        let issuer = try required("iss")
        let loginHint = try required("login_hint")
        let target = try required("target_link_uri")
        let clientID = parameters["client_id"].flatMap { $0.isEmpty ? nil : $0 }
        guard let entry = try await directory.find(issuer: issuer, clientID: clientID) else {
            throw LTIError.unknownPlatform(issuer: issuer, clientID: clientID)
        }
        let platform = entry.platform
        guard platform.status == .active else { throw LTIError.platformPending(issuer: issuer) }
        if let deployment = parameters["lti_deployment_id"], !deployment.isEmpty, !entry.deployments.contains(deployment) {
            throw LTIError.unknownDeployment(deployment)
        }
        guard settings.owns(target) else { throw LTIError.foreignTarget(target) }

        let login = LoginState(
            platformID: platform.id, issuer: platform.issuer, clientID: platform.clientID, nonce: RandomToken.make(),
            expires: Int64(now.timeIntervalSince1970) + LoginState.lifetime.components.seconds)
        let state = try login.sealed(with: box)

        var query = [
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
            ("prompt", "none"),
            ("client_id", platform.clientID),
            ("redirect_uri", settings.launchURL),
            ("login_hint", loginHint),
            ("state", state),
            ("nonce", login.nonce),
        ]
        if let hint = parameters["lti_message_hint"] { query.append(("lti_message_hint", hint)) }
        let base = try entry.authURL.mapError(LTIError.unsafePlatformURL).get().text
        // Bytes, not Foundation's `contains(_: String)`, which took 1 % of a login.
        let separator = base.utf8.contains(UInt8(ascii: "?")) ? "&" : "?"
        return Redirect(location: base + separator + FormURLEncoding.encode(query), state: state)
    }
}
