import Crypto
import Foundation
import LabCore
import WebEncoding

/// What LabGate shows in place of Guacamole when there is none: the login a redeemed link
/// carried and the connection record it opens.
public struct DesktopPreview: Sendable {
    public var username: String
    public var expires: Date
    public var singleUse: Bool
    public var connection: StoredGuacamoleConnection?
}

extension GuacBridge {
    /// Reads `data` the way Guacamole's auth-json extension would: it must decrypt under the
    /// shared key, name `userID`'s Guacamole user, not be expired, and, being single-use,
    /// not have been read before. `connectionID` is the connection the link points to; one
    /// the user has no READ permission on is answered as one that does not exist, as
    /// Guacamole would, before the single-use login is spent.
    public func preview(data: String, connectionID: Int?, for userID: UserID) async throws -> DesktopPreview {
        let json = try authJSON.open(data)
        guard let login = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let username = login["username"] as? String, let expires = (login["expires"] as? NSNumber)?.int64Value
        else { throw GuacBridgeError.invalidLogin }
        guard username == Self.username(of: userID) else { throw GuacBridgeError.notYourLink }
        let expiry = Date(timeIntervalSince1970: Double(expires) / 1000)
        guard expiry > clock.now() else { throw GuacBridgeError.linkUsedOrExpired }
        var connection: StoredGuacamoleConnection?
        if let connectionID {
            connection = try await records.connection(id: connectionID)
            guard connection?.readers.contains(username) == true else { throw GuacBridgeError.noSuchConnection }
        }
        let singleUse = login["singleUse"] as? Bool ?? false
        if singleUse {
            let key = "preview-used:" + Array(SHA256.hash(data: Array(data.utf8))).hexEncodedString()
            guard try await ephemeral.setIfAbsent(key, to: "1", ttl: settings.linkLifetime) else { throw GuacBridgeError.linkUsedOrExpired }
        }
        return DesktopPreview(username: username, expires: expiry, singleUse: singleUse, connection: connection)
    }
}
