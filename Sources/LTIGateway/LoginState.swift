import Foundation
import LabCore

/// What a login initiation leaves behind for its launch, under its `state`, for ten minutes.
struct LoginState: Codable, Sendable {
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
