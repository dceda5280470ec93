import Foundation
import LabCore
import WebEncoding

/// The student's way to their desktop through Guacamole: the records in Guacamole's
/// database, the single-use links, and the auth-json login a redeemed link turns into.
public struct GuacBridge: RemoteDesktops {
    public let settings: GuacBridgeSettings
    let records: any GuacamoleRecords
    let authJSON: AuthJSON
    public let links: AccessLinks
    let ephemeral: any EphemeralStore
    let clock: any WallClock

    public init(
        settings: GuacBridgeSettings, records: any GuacamoleRecords, authJSON: AuthJSON, ephemeral: any EphemeralStore,
        clock: any WallClock = SystemClock()
    ) {
        self.settings = settings
        self.records = records
        self.authJSON = authJSON
        self.links = AccessLinks(store: ephemeral, lifetime: settings.linkLifetime, clock: clock)
        self.ephemeral = ephemeral
        self.clock = clock
    }

    public func publish(_ instance: LabInstance, access: DesktopAccess) async throws {
        _ = try await records.publish(
            connection(for: instance, access: access), for: GuacamolePassword.unusableAccount(username: Self.username(of: instance.userID)))
    }

    public func withdraw(_ instance: LabInstance) async throws {
        try await records.revoke(connection: instance.id.rawValue, in: settings.group, from: Self.username(of: instance.userID))
    }

    public func remove(_ instance: LabInstance) async throws {
        try await records.remove(connection: instance.id.rawValue, in: settings.group, username: Self.username(of: instance.userID))
    }

    /// A fresh single-use link to the instance's desktop, `<gateway>/open/<code>`.
    public func activity(since: Date) async throws -> [LabInstanceID: DesktopActivity] {
        Dictionary(uniqueKeysWithValues: try await records.activity(in: settings.group, since: since).map { (LabInstanceID($0.key), $0.value) })
    }

    public func link(for instance: LabInstance) async throws -> String {
        "\(settings.gatewayURL)/open/\(try await links.issue(for: instance))"
    }

    /// Where a redeemed link sends the student: Guacamole (or, without one, LabGate's
    /// preview, `<gateway>/preview`) with a fresh auth-json login, opening the instance's connection.
    public func redirect(for grant: AccessLinks.Grant) async throws -> String {
        guard let connectionID = try await records.connectionID(named: grant.instanceID.rawValue, in: settings.group) else {
            throw GuacBridgeError.linkUsedOrExpired
        }
        let login = AuthJSON.login(username: Self.username(of: grant.userID), expires: clock.now().addingTimeInterval(settings.linkLifetime.timeInterval))
        var query = [("data", try authJSON.seal(login))]
        // The preview cannot read the fragment from the server side, so it gets the id plainly too.
        if settings.guacamoleURL == nil { query.append(("connection", String(connectionID))) }
        let base = settings.guacamoleURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? settings.gatewayURL + "/preview"
        return "\(base)?\(FormURLEncoding.encode(query))#/client/\(Self.clientIdentifier(connectionID: connectionID))"
    }

    /// The Guacamole connection for the instance's first VM.
    func connection(for instance: LabInstance, access: DesktopAccess) throws -> GuacamoleConnection {
        guard let address = instance.address else { throw GuacBridgeError.notReady(state: instance.state.rawValue) }
        var parameters = ["hostname": address, "port": String(access.port)]
        parameters["username"] = access.username
        parameters["password"] = access.username == nil ? nil : instance.guestPassword
        if access.protocolName == "rdp" {
            parameters["security"] = settings.rdpSecurity
            if settings.ignoreCertificate { parameters["ignore-cert"] = "true" }
        }
        if let path = settings.recordingPath {
            parameters["recording-path"] = path
            parameters["recording-name"] = "\(instance.id)-${GUAC_DATE}-${GUAC_TIME}"
            parameters["create-recording-path"] = "true"
        }
        return GuacamoleConnection(
            name: instance.id.rawValue, group: settings.group, protocolName: access.protocolName, parameters: parameters,
            maxConnections: settings.maxConnections, maxConnectionsPerUser: settings.maxConnectionsPerUser)
    }

    /// The Guacamole user of a LabGate user.
    public static func username(of user: UserID) -> String { "labgate-\(user)" }

    /// What Guacamole's client URL names a connection by: base64url (no padding) of the id,
    /// the type `c` and the data source `mysql`, NUL-separated.
    public static func clientIdentifier(connectionID: Int) -> String {
        Data("\(connectionID)\0c\0mysql".utf8).base64URLEncodedString()
    }
}
