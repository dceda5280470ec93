import Foundation

/// How the LTI gateway behaves: its public address, the tolerances of its checks, and what
/// outbound addresses it may reach.
public struct LTISettings: Sendable {
    /// The address platforms and browsers use to reach LabGate, without a trailing slash
    /// (`https://labgate.example.edu`): the launch URL and the published key set derive from it.
    public var publicURL: String
    /// How far `exp` and `iat` may be off because clocks disagree.
    public var clockSkew: Duration
    /// Allow `http://` for key sets and registration on loopback hosts (tests, the demo).
    public var allowInsecureLoopback: Bool
    /// Allow Dynamic Registration to reach private and loopback addresses.
    public var allowPrivateAddresses: Bool
    /// Platforms registered dynamically are active at once instead of waiting for an admin.
    public var autoApproveRegistrations: Bool
    /// The least time between two fetches of one platform's key set caused by an unknown `kid`.
    public var keySetRefetchInterval: Duration
    /// How long a fetched key set is trusted before it is fetched again.
    public var keySetMaxAge: Duration
    /// How long the session cookie of a launch stays valid.
    public var sessionLifetime: Duration
    /// How long LabGate trusts what it read of a platform's registration before reading it again.
    public var registryCacheLifetime: Duration
    /// Whether the client's address is the first hop of X-Forwarded-For (behind a trusted proxy).
    public var trustForwardedFor: Bool
    /// How old a course's roster may be before a look at the course page has it read again.
    public var rosterMaxAge: Duration
    /// How long the lab of a student who left the course (by its roster) is kept before it is deleted.
    public var leaverGrace: Duration

    public init(
        publicURL: String, clockSkew: Duration = .seconds(60), allowInsecureLoopback: Bool = false,
        allowPrivateAddresses: Bool = false, autoApproveRegistrations: Bool = false,
        keySetRefetchInterval: Duration = .seconds(1), keySetMaxAge: Duration = .seconds(600),
        sessionLifetime: Duration = .seconds(2 * 3600), registryCacheLifetime: Duration = .seconds(5),
        trustForwardedFor: Bool = false, rosterMaxAge: Duration = .seconds(900),
        leaverGrace: Duration = .seconds(86_400)
    ) {
        self.leaverGrace = leaverGrace
        self.trustForwardedFor = trustForwardedFor
        self.rosterMaxAge = rosterMaxAge
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.clockSkew = clockSkew
        self.allowInsecureLoopback = allowInsecureLoopback
        self.allowPrivateAddresses = allowPrivateAddresses
        self.autoApproveRegistrations = autoApproveRegistrations
        self.keySetRefetchInterval = keySetRefetchInterval
        self.keySetMaxAge = keySetMaxAge
        self.sessionLifetime = sessionLifetime
        self.registryCacheLifetime = registryCacheLifetime
    }

    /// Whether a URL points into this LabGate: under the public URL, not merely starting with
    /// the same characters (`https://labgate.example.edu.evil.example` is not ours).
    public func owns(_ url: String) -> Bool {
        url == publicURL || url.hasPrefix(publicURL + "/") || url.hasPrefix(publicURL + "?")
    }

    /// Where platforms post id_tokens.
    public var launchURL: String { publicURL + "/lti/launch" }
    /// Where platforms start a login.
    public var loginURL: String { publicURL + "/lti/login" }
    /// Where a platform's admin starts a Dynamic Registration.
    public var registrationURL: String { publicURL + "/lti/register" }
    /// Where the tool's public keys are published.
    public var keySetURL: String { publicURL + "/lti/jwks" }
}
