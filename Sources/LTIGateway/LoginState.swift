import Foundation
import LabCore
import WebEncoding
import WebSupport

/// What a login initiation hands its launch, sealed into the `state` the platform sends back,
/// good for ten minutes. A login stores nothing: the launch opens the state with the
/// gateways' shared secret, and spends it (`spentKey`) once its id_token has passed.
struct LoginState: Sendable, Equatable {
    var platformID: PlatformID
    var issuer: String
    var clientID: String
    var nonce: String
    /// Seconds since 1970 after which the state is no longer good.
    var expires: Int64

    static let lifetime = Duration.seconds(600)
    static let purpose = "lti login state"

    /// Where a launch marks its state spent: under the state's nonce, which no other state has.
    static func spentKey(_ nonce: String) -> String { "lti:spent:" + nonce }

    /// The cookie that ties the state to the browser that started the login. Named after the
    /// seal's random start (after `v1:`), so two launches in two tabs do not overwrite each
    /// other's cookie.
    static func cookieName(_ state: String) -> String { "lg_state_" + state.dropFirst(3).prefix(16) }
}

extension LoginState {
    /// The state as the login hands it out: its JSON members encrypted and authenticated
    /// (`SecretBox`), so no one can alter it and any gateway can open it.
    func sealed(with box: SecretBox) throws -> String {
        var writer = JSONObjectWriter()
        writer.add("platformID", platformID.rawValue)
        writer.add("issuer", issuer)
        writer.add("clientID", clientID)
        writer.add("nonce", nonce)
        writer.add("expires", expires)
        return try box.seal(Data(writer.utf8), purpose: Self.purpose)
    }

    /// The state a login sealed, if `sealed` is one and is still good at `now`; nil if not.
    init?(sealed: String, box: SecretBox, now: Date) {
        guard let json = try? box.open(sealed, purpose: Self.purpose, canonicalOnly: true),
            let members = (try? ParsedJSON.parse(json))?.object,
            let platformID = members["platformID"]?.string, let issuer = members["issuer"]?.string,
            let clientID = members["clientID"]?.string, let nonce = members["nonce"]?.string,
            let expires = members["expires"]?.number.flatMap({ Int64(exactly: $0) }), Double(expires) > now.timeIntervalSince1970
        else { return nil }
        self.init(platformID: PlatformID(platformID), issuer: issuer, clientID: clientID, nonce: nonce, expires: expires)
    }
}
