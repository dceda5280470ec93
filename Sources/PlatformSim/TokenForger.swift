import Crypto
import Foundation
import JOSE
import WebEncoding

/// Signs an id_token the way a scenario says: honestly, or in one of the ways an attacker would try.
enum TokenForger {
    static func sign(payload: Data, key: RSASigningKey, as signing: LaunchScenario.Signing) throws -> String {
        switch signing {
        case .platformKey:
            return try CompactJWS.sign(payload: payload, with: key)
        case .foreignKey:
            return try CompactJWS.sign(payload: payload, with: RSASigningKey(kid: key.kid, privateKey: try RSASigningKey.generate(kid: key.kid).privateKey))
        case .unknownKid(let kid):
            return try CompactJWS.sign(payload: payload, with: RSASigningKey(kid: kid, privateKey: key.privateKey))
        case .algNone:
            let header = try JSONEncoder().encode(JOSEHeader(alg: "none", kid: key.kid))
            return header.base64URLEncodedString() + "." + payload.base64URLEncodedString() + "."
        case .hs256WithPublicKey:
            let header = try JSONEncoder().encode(JOSEHeader(alg: "HS256", kid: key.kid))
            let input = header.base64URLEncodedString() + "." + payload.base64URLEncodedString()
            let secret = SymmetricKey(data: Data(key.privateKey.publicKey.pemRepresentation.utf8))
            let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: secret)
            return input + "." + Data(mac).base64URLEncodedString()
        case .tamperedPayload:
            let token = try CompactJWS.sign(payload: payload, with: key)
            var parts = token.split(separator: ".").map(String.init)
            var claims = Data(base64URLEncoded: parts[1])!
            // Make the subject someone else, keeping the JSON valid.
            if let range = claims.range(of: Data(#""sub":""#.utf8)) { claims[range.upperBound] ^= 0x01 }
            parts[1] = claims.base64URLEncodedString()
            return parts.joined(separator: ".")
        }
    }
}
