import Foundation
import WebEncoding
import _CryptoExtras

/// An RSA public key in JWK form (RFC 7517), as platforms publish them and as LabGate publishes its own.
public struct JSONWebKey: Codable, Sendable, Hashable {
    public var kty: String
    public var kid: String?
    public var use: String?
    public var alg: String?
    public var n: String?
    public var e: String?

    public init(kid: String, publicKey: _RSA.Signing.PublicKey) throws {
        let primitives = try publicKey.getKeyPrimitives()
        self.kty = "RSA"
        self.kid = kid
        self.use = "sig"
        self.alg = "RS256"
        self.n = primitives.modulus.base64URLEncodedString()
        self.e = primitives.publicExponent.base64URLEncodedString()
    }

    /// The key, if this is an RSA signing key of at least 2048 bits meant for RS256.
    public func verificationKey() throws(JOSEError) -> RSAVerificationKey {
        guard kty == "RSA" else { throw .invalidKey("key type \(kty) is not RSA") }
        if let alg, alg != "RS256" { throw .invalidKey("key is for \(alg), not RS256") }
        if let use, use != "sig" { throw .invalidKey("key is for \(use), not signatures") }
        guard let n, let e, let modulus = Data(base64URLEncoded: n), let exponent = Data(base64URLEncoded: e) else {
            throw .invalidKey("modulus or exponent missing or not base64url")
        }
        do {
            return RSAVerificationKey(try _RSA.Signing.PublicKey(n: modulus, e: exponent))
        } catch {
            throw .invalidKey("not a usable RSA public key (at least 2048 bits)")
        }
    }
}

/// A JWK Set: `{"keys": [...]}`. Keys of other types are kept out rather than failing the set.
public struct JSONWebKeySet: Codable, Sendable, Hashable {
    public var keys: [JSONWebKey]

    public init(keys: [JSONWebKey]) {
        self.keys = keys
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var list = try container.nestedUnkeyedContainer(forKey: .keys)
        var keys: [JSONWebKey] = []
        while !list.isAtEnd {
            if let key = try? list.decode(JSONWebKey.self) {
                keys.append(key)
            } else {
                _ = try list.decode(IgnoredValue.self)
            }
        }
        self.keys = keys
    }

    /// The usable RS256 keys by kid; keys without a kid or that cannot verify are left out.
    public func verificationKeys() -> [String: RSAVerificationKey] {
        var result: [String: RSAVerificationKey] = [:]
        for key in keys {
            if let kid = key.kid, let usable = try? key.verificationKey() { result[kid] = usable }
        }
        return result
    }

    private struct IgnoredValue: Decodable {}
}
