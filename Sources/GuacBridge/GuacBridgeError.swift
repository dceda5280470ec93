/// What GuacBridge refuses, in words for the person who caused it.
public enum GuacBridgeError: Error, Equatable, CustomStringConvertible {
    /// The one-time link was redeemed before, expired, or never existed.
    case linkUsedOrExpired
    /// The link was made for another student.
    case notYourLink
    /// `guacamole.jsonSecretKey` is not 32 hex digits.
    case invalidSecretKey
    /// An auth-json `data` value that does not decrypt or whose signature does not hold.
    case invalidLogin
    /// The instance has no desktop to open yet.
    case notReady(state: String)
    /// No connection by that id that this user may read (the two are never told apart).
    case noSuchConnection

    public var description: String {
        switch self {
        case .linkUsedOrExpired: "this link was already used or has expired — launch the lab again from your course"
        case .notYourLink: "this link was made for someone else — launch the lab from your own course page"
        case .invalidSecretKey: "the Guacamole json-secret-key must be 32 hex digits (128 bits)"
        case .invalidLogin: "the Guacamole login data cannot be read with this key"
        case .notReady(let state): "the lab is not ready yet (it is \(state))"
        case .noSuchConnection: "there is no such desktop"
        }
    }
}
