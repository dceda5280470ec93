import Foundation
import Testing
import WebEncoding

@testable import GuacBridge

@Suite("auth-json logins")
struct AuthJSONTests {
    /// The example of guacamole-auth-json's README: `encrypt-json.sh` run with this key on its `auth.json`.
    static let upstreamKey = "4C0B569E4C96DF157EEE1B65DD0E4D41"
    static let upstreamBlob = """
        A2Pf5Kpmm97I2DT1PifIrfU6q3yzoGcIbNXEd60WNangT8DAVjAl6luaqwhBJnCK
        uqcf9ZZlRo3uDxTHvUM3eq1YvdghL0GbosOn8Mn38j2ydOMk+Cd15a8ggb4/ddt/
        yIBK4DxrN7MNbouZ091KYtXC6m20E6sGzLy676BlMSg1cmsENRIihOynsSLSCvo0
        diif6H7T+ZuIqF7B5SW+adGfMaHlfknlIvSpLGHhrIP4aMYE/ZU2vYNg8ez27sCS
        wDBWu5lERtfCYFyU4ysjRU5Hyov+yKa+O7jcRYpw3N+fHbCg7/dxVNW07qNOKssv
        pzUciGvDPUCPpa02WmPJNEBowwQireO1952/MNAI77cW2UepbljD/bwOiZl2THJz
        LrENo7K5acimBa+EjWEesgn7lx/WTCF3zxR6TH1CWrQM8Et1aUK1Nf8K11xEQbTy
        klyaNtCmTfyahRZ/fUPxDNrdJVpPOSELkf7RJO5tOdK/FFIFIbze3ZUyXgRq+pHY
        owpgOmudDBTBlxhXiONdutRI/RZbFM/7GBMdmI8AR/401OCV3nsI4jLhukjMXH3V
        f3pQg+xKMhi/QExHhDk8VTNYk7GurK4vgehn7HQ0oSGh8pGcmxB6W43cz+hyn6VQ
        On6i90cSnIhRO8SysZt332LwJCDm7I+lBLaI8NVHU6bnAY1Axx5oH3YTKc4qzHls
        HEAFYLkD6aHMvHkF3b798CMravjxiJV3m7hsXDbaFN6AFhn8GIkMRRrjuevfZ+q9
        enWN14s24vt5OVg69DljzALobUNKUXFx69SR8EpSBvUcKq8s/OgbDpFvKbwsDY57
        HGT4T0CuRIA0TGUI075uerKBNApVhuBA1BmWJIrI4JXw5MuX6pdBe+MYccO3vfo+
        /frazj8rHdkDa/IbueMbvq+1ozV2+UuxrbaTrV2i4jSRgd74U0QzOh9e8Q0i7vOi
        l3hnIfOfg+v1oULmZmJSeiAYWxeGvPptp+n7rNFqHGM=
        """

    @Test("the upstream example opens with its key, and sealing what it holds gives the very same bytes")
    func upstreamKnownAnswer() throws {
        let auth = try AuthJSON(hexKey: Self.upstreamKey)
        let json = try auth.open(Self.upstreamBlob)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["username"] as? String == "test")
        #expect(object["expires"] as? String == "1446323765000")
        let connections = try #require(object["connections"] as? [String: Any])
        #expect(Set(connections.keys) == ["My Connection", "My OTHER Connection"])
        // AES-CBC with a zero IV is deterministic: LabGate's sealing matches encrypt-json.sh byte for byte.
        #expect(try auth.seal(json) == Self.upstreamBlob.filter { !$0.isWhitespace })
    }

    @Test("LabGate's login decodes to the student, a millisecond expiry, single use and no connections of its own")
    func ownLogin() throws {
        let auth = try AuthJSON(hexKey: "00112233445566778899aabbccddeeff")
        let expires = Date(timeIntervalSince1970: 1_795_000_000.25)
        let data = try auth.seal(AuthJSON.login(username: "labgate-u1", expires: expires))
        let object = try #require(try JSONSerialization.jsonObject(with: auth.open(data)) as? [String: Any])
        #expect(object["username"] as? String == "labgate-u1")
        #expect((object["expires"] as? NSNumber)?.int64Value == 1_795_000_000_250)
        #expect(object["singleUse"] as? Bool == true)
        #expect((object["connections"] as? [String: Any])?.isEmpty == true)
    }

    @Test("a tampered blob, a wrong key or a bad key is refused")
    func refusals() throws {
        let auth = try AuthJSON(hexKey: Self.upstreamKey)
        var bytes = try #require(Data(base64Encoded: Self.upstreamBlob.filter { !$0.isWhitespace }))
        bytes[40] ^= 1
        #expect(throws: GuacBridgeError.invalidLogin) { try auth.open(bytes.base64EncodedString()) }
        #expect(throws: GuacBridgeError.invalidLogin) { try AuthJSON(hexKey: "00000000000000000000000000000000").open(Self.upstreamBlob) }
        #expect(throws: GuacBridgeError.invalidLogin) { try auth.open("not base64 at all!") }
        #expect(throws: GuacBridgeError.invalidSecretKey) { try AuthJSON(hexKey: "4C0B569E") }
        #expect(throws: GuacBridgeError.invalidSecretKey) { try AuthJSON(hexKey: "ZZ0B569E4C96DF157EEE1B65DD0E4D41") }
    }

    @Test("Guacamole's password hash uses the salt in upper-case hex (the fixture's guacadmin row)")
    func passwordHash() {
        let salt = hex("FE24ADC5E11E2B25288D1704ABE67A79E342ECC26064CE69C5B3177795A82264")
        #expect(GuacamolePassword.hash("guacadmin", salt: salt) == hex("CA458A7D494E3BE824F5E1E175A1556C0F8EEF2C2D7DF3633BEC4A29C4411960"))
    }

    @Test("the client identifier is base64url of id, c and mysql, NUL-separated, without padding")
    func clientIdentifier() {
        #expect(GuacBridge.clientIdentifier(connectionID: 1) == "MQBjAG15c3Fs")
        #expect(GuacBridge.clientIdentifier(connectionID: 42) == "NDIAYwBteXNxbA")
    }
}

func hex(_ text: String) -> [UInt8] {
    [UInt8](hexEncoded: text)!
}
