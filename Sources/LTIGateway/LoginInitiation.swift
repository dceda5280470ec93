import Foundation
import LabCore

/// The first step of an LTI launch (OIDC third-party initiated login): check the platform,
/// issue a state and a nonce, and send the browser to the platform's authentication URL.
struct LoginInitiation: Sendable {
    let directory: PlatformDirectory
    let ephemeral: any EphemeralStore
    let settings: LTISettings

    /// Where to send the browser, and the state to bind to it with a cookie.
    struct Redirect: Sendable {
        var location: String
        var state: String
    }

    func start(_ parameters: [String: String]) async throws -> Redirect {
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

        let state = RandomToken.make()
        let login = LoginState(platformID: platform.id, issuer: platform.issuer, clientID: platform.clientID, nonce: RandomToken.make())
        let record = String(decoding: try JSONEncoder().encode(login), as: UTF8.self)
        try await ephemeral.set(LoginState.storeKey(state), to: record, ttl: LoginState.lifetime)

        var query = [
            URLQueryItem(name: "scope", value: "openid"),
            URLQueryItem(name: "response_type", value: "id_token"),
            URLQueryItem(name: "response_mode", value: "form_post"),
            URLQueryItem(name: "prompt", value: "none"),
            URLQueryItem(name: "client_id", value: platform.clientID),
            URLQueryItem(name: "redirect_uri", value: settings.launchURL),
            URLQueryItem(name: "login_hint", value: loginHint),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: login.nonce),
        ]
        if let hint = parameters["lti_message_hint"] { query.append(URLQueryItem(name: "lti_message_hint", value: hint)) }
        return Redirect(location: Self.url(platform.authURL, adding: query), state: state)
    }

    /// `base` with the query items added to any it already has, each fully percent-encoded.
    static func url(_ base: String, adding items: [URLQueryItem]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let query = items.map { item in
            item.name + "=" + (item.value ?? "").addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }
}
