import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@testable import GuacBridge

@Suite("Redirect to Guacamole")
struct RedirectTests {
    @Test("a redeemed link leads to Guacamole with a login for the student and the connection's client id, no password in the URL")
    func redirect() async throws {
        try await RelationalEngine.sqlite.withDatabase { database in
            let records = SQLGuacamoleRecords(database: database)
            let auth = try AuthJSON(hexKey: AuthJSONTests.upstreamKey)
            let bridge = GuacBridge(
                settings: GuacBridgeSettings(guacamoleURL: "https://lab.example.edu/guacamole"), records: records, authJSON: auth,
                ephemeral: MemoryEphemeralStore())
            let instance = LabInstance(
                userID: UserID("u1"), environmentID: EnvironmentID("env"), address: "10.0.0.7", guestPassword: "pw-never-in-url", createdAt: Date())
            try await bridge.publish(instance, access: DesktopAccess(protocolName: "rdp", port: 3389, username: "student"))
            let id = try #require(try await records.connectionID(named: instance.id.rawValue, in: "labgate"))
            let url = try await bridge.redirect(for: AccessLinks.Grant(userID: instance.userID, instanceID: instance.id))
            #expect(url.hasPrefix("https://lab.example.edu/guacamole/?data="))
            #expect(url.hasSuffix("#/client/\(GuacBridge.clientIdentifier(connectionID: id))"))
            #expect(!url.contains("pw-never-in-url"))
            let query = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "data" }?.value)
            let login = try #require(try JSONSerialization.jsonObject(with: auth.open(query)) as? [String: Any])
            #expect(login["username"] as? String == "labgate-u1")
        }
    }
}
