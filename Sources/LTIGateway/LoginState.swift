import Foundation
import LabCore
import WebEncoding

/// What a login initiation leaves behind for its launch, under its `state`, for ten minutes.
struct LoginState: Codable, Sendable, Equatable {
    var platformID: PlatformID
    var issuer: String
    var clientID: String
    var nonce: String

    static let lifetime = Duration.seconds(600)

    static func storeKey(_ state: String) -> String { "lti:state:" + state }

    /// The cookie that ties the state to the browser that started the login. Named after the
    /// state, so two launches in two tabs do not overwrite each other's cookie.
    static func cookieName(_ state: String) -> String { "lg_state_" + state.prefix(16) }
}

extension LoginState {
    /// The state as the login stores it: the JSON `Codable` would write, without its cost on every login.
    var stored: String {
        var writer = JSONObjectWriter()
        writer.add("platformID", platformID.rawValue)
        writer.add("issuer", issuer)
        writer.add("clientID", clientID)
        writer.add("nonce", nonce)
        return writer.text
    }

    /// The state as the login stored it, read with `ParsedJSON` as every launch reads one; nil
    /// if it is not a login state.
    init?(stored: String) {
        guard let members = (try? ParsedJSON.parse(Array(stored.utf8)))?.object,
            let platformID = members["platformID"]?.string, let issuer = members["issuer"]?.string,
            let clientID = members["clientID"]?.string, let nonce = members["nonce"]?.string
        else { return nil }
        self.init(platformID: PlatformID(platformID), issuer: issuer, clientID: clientID, nonce: nonce)
    }
}
