import Crypto
import Foundation
import _CryptoExtras

/// An RSA private key with the `kid` it is published under; signs RS256 (PKCS#1 v1.5, SHA-256).
public struct RSASigningKey: Sendable {
    public let kid: String
    public let privateKey: _RSA.Signing.PrivateKey

    public init(kid: String, privateKey: _RSA.Signing.PrivateKey) {
        self.kid = kid
        self.privateKey = privateKey
    }

    /// A new 2048-bit key.
    public static func generate(kid: String) throws -> RSASigningKey {
        RSASigningKey(kid: kid, privateKey: try _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// The public half as a JWK, to publish.
    public func publicJWK() throws -> JSONWebKey {
        try JSONWebKey(kid: kid, publicKey: privateKey.publicKey)
    }

    /// The RS256 signature of `input`.
    public func sign(_ input: some DataProtocol) throws -> Data {
        try privateKey.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation
    }
}

/// An RSA public key that checks RS256 signatures.
public struct RSAVerificationKey: Sendable {
    public let publicKey: _RSA.Signing.PublicKey

    public init(_ publicKey: _RSA.Signing.PublicKey) {
        self.publicKey = publicKey
    }

    /// Whether `signature` is the RS256 signature of `input` by this key.
    public func verifies(_ signature: some DataProtocol, for input: some DataProtocol) -> Bool {
        publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
    }
}
