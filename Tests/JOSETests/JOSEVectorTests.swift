import Foundation
import JOSE
import Testing
import WebEncoding
import _CryptoExtras

/// JOSE checked against what LabGate did not make: the RFCs' own examples and the `openssl`
/// command-line tool. The test platform signs with LabGate's own code, so a bug on both sides
/// would pass every other test.
@Suite("JOSE against the RFCs and openssl")
struct JOSEVectorTests {
    /// RFC 7515, appendix A.2: a JWS using RSASSA-PKCS1-v1_5 SHA-256, and the RSA key it names.
    enum RFC7515A2 {
        static let token = """
            eyJhbGciOiJSUzI1NiJ9\
            .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
            .cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4\
            BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv\
            hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw
            """
        static let modulus = """
            ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs\
            D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV\
            MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ
            """
        /// The payload as the RFC gives it, CR LF line breaks included.
        static let payload = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
    }

    /// RFC 7517, appendix A.1: a key set with an EC key (for encryption) and an RSA key.
    static let rfc7517A1 = """
        {"keys":
          [
            {"kty":"EC",
             "crv":"P-256",
             "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
             "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
             "use":"enc",
             "kid":"1"},

            {"kty":"RSA",
             "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
             "e":"AQAB",
             "alg":"RS256",
             "kid":"2011-04-29"}
          ]
        }
        """

    @Test("RFC 7515 A.2: the RS256 example verifies with the RFC's key, and its payload is read byte for byte")
    func rfc7515RS256() throws {
        let jws = try CompactJWS(parsing: RFC7515A2.token)
        #expect(jws.header.alg == "RS256" && jws.header.kid == nil)
        #expect(String(decoding: jws.payload, as: UTF8.self) == RFC7515A2.payload)
        try jws.verify(with: try Self.rsaKey(modulus: RFC7515A2.modulus).verificationKey())
    }

    @Test("a token that is not three base64url parts with a JSON header naming a string alg is refused, before any key")
    func malformedTokens() throws {
        let header = Data(#"{"alg":"RS256","kid":"k1","typ":null}"#.utf8).base64URLEncodedString()
        let parsed = try CompactJWS(parsing: header + ".e30.c2ln")
        #expect(parsed.header == JOSEHeader(alg: "RS256", kid: "k1", typ: nil))
        #expect(String(decoding: parsed.signingInput, as: UTF8.self) == header + ".e30")
        #expect(String(decoding: parsed.signature, as: UTF8.self) == "sig")
        let headers = [#"{"kid":"k"}"#, #"{"alg":1}"#, #"{"alg":"RS256","kid":7}"#, #"{"alg":"RS256","alg":"none"}"#, "[]", "{"]
        let tokens =
            ["", ".", "..", "a.b", "a.b.c.d", header + ".e30.c2ln.", header + ".e3*.c2ln"]
            + headers.map { Data($0.utf8).base64URLEncodedString() + ".e30.c2ln" }
        for token in tokens {
            #expect(throws: JOSEError.self, "\(token)") { try CompactJWS(parsing: token) }
        }
    }

    @Test("RFC 7515 A.2 changed by one character, in the payload or the signature, no longer verifies")
    func rfc7515Tampered() throws {
        let key = try Self.rsaKey(modulus: RFC7515A2.modulus).verificationKey()
        let parts = RFC7515A2.token.split(separator: ".").map(String.init)
        // "joe" → "jod" in the payload's first claim.
        let claims = String(decoding: try #require(Data(base64URLEncoded: parts[1])), as: UTF8.self).replacingOccurrences(of: "joe", with: "jod")
        let payload = Data(claims.utf8).base64URLEncodedString()
        #expect(payload != parts[1])
        #expect(throws: JOSEError.badSignature) { try CompactJWS(parsing: [parts[0], payload, parts[2]].joined(separator: ".")).verify(with: key) }
        let signature = String(parts[2].dropLast()) + (parts[2].hasSuffix("w") ? "A" : "w")
        #expect(throws: JOSEError.badSignature) { try CompactJWS(parsing: [parts[0], parts[1], signature].joined(separator: ".")).verify(with: key) }
    }

    @Test("RFC 7517 A.1: from a key set with an EC key and an RSA key, the RSA key is the one usable for RS256")
    func rfc7517KeySet() throws {
        let set = try JSONDecoder().decode(JSONWebKeySet.self, from: Data(Self.rfc7517A1.utf8))
        #expect(set.keys.map(\.kid) == ["1", "2011-04-29"])
        let usable = set.verificationKeys()
        #expect(Array(usable.keys) == ["2011-04-29"])
        let modulus = try #require(usable["2011-04-29"]).publicKey.getKeyPrimitives().modulus
        #expect(modulus.count == 256, "a 2048-bit modulus")
    }

    @Test("a token signed by the openssl tool verifies, and one JOSE signs verifies with openssl")
    func openssl() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jose-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("key.pem").path
        let publicFile = folder.appendingPathComponent("public.pem").path
        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile])
        try Self.openssl(["pkey", "-in", keyFile, "-pubout", "-out", publicFile])

        // openssl signs; JOSE verifies, with a key rebuilt from the modulus openssl prints.
        let input = Data("eyJhbGciOiJSUzI1NiIsImtpZCI6Im9wZW5zc2wifQ.eyJzdWIiOiJhZGEifQ".utf8)
        let inputFile = folder.appendingPathComponent("input").path
        try input.write(to: URL(fileURLWithPath: inputFile))
        let signature = try Self.openssl(["dgst", "-sha256", "-sign", keyFile, inputFile])
        let token = String(decoding: input, as: UTF8.self) + "." + signature.base64URLEncodedString()
        let modulusLine = String(decoding: try Self.openssl(["rsa", "-in", keyFile, "-noout", "-modulus"]), as: UTF8.self)
        let modulus = try #require(
            [UInt8](hexEncoded: modulusLine.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "Modulus=", with: "")))
        let jwk = try Self.rsaKey(modulus: Data(modulus).base64URLEncodedString())
        let jws = try CompactJWS(parsing: token)
        #expect(jws.header.kid == "openssl")
        try jws.verify(with: try jwk.verificationKey())

        // JOSE signs with the same key; openssl verifies.
        let pem = try String(contentsOfFile: keyFile, encoding: .utf8)
        let signed = try CompactJWS.sign(
            payload: Data(#"{"sub":"ada"}"#.utf8), with: RSASigningKey(kid: "k", privateKey: try _RSA.Signing.PrivateKey(pemRepresentation: pem)))
        let parts = signed.split(separator: ".")
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: URL(fileURLWithPath: inputFile))
        let signatureFile = folder.appendingPathComponent("signature").path
        try #require(Data(base64URLEncoded: String(parts[2]))).write(to: URL(fileURLWithPath: signatureFile))
        let verified = String(decoding: try Self.openssl(["dgst", "-sha256", "-verify", publicFile, "-signature", signatureFile, inputFile]), as: UTF8.self)
        #expect(verified.contains("Verified OK"))
    }

    /// An RSA public JWK as a platform publishes it (exponent 65537).
    static func rsaKey(modulus: String) throws -> JSONWebKey {
        try JSONDecoder().decode(JSONWebKey.self, from: Data(#"{"kty":"RSA","n":"\#(modulus)","e":"AQAB"}"#.utf8))
    }

    /// Runs the `openssl` tool and returns what it wrote; fails the test when it fails.
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLFailed(arguments: arguments, status: process.terminationStatus) }
        return data
    }

    struct OpenSSLFailed: Error {
        var arguments: [String]
        var status: Int32
    }
}
