import Crypto
import Foundation
import NIOConcurrencyHelpers
import WebEncoding

/// Encrypts and authenticates what LabGate keeps secret at rest or hands to browsers,
/// with keys derived (HKDF-SHA256) from the one secret in LabGate's configuration.
public struct SecretBox: Sendable {
    private let secret: SymmetricKey
    /// Derived once per purpose: cookies are signed on every launch.
    private let derived = NIOLockedValueBox<[String: SymmetricKey]>([:])

    /// - Parameter secret: at least 32 bytes of the configured secret.
    public init(secret: Data) {
        self.secret = SymmetricKey(data: secret)
    }

    /// A key for one purpose: keys for different purposes are unrelated.
    public func key(for purpose: String) -> SymmetricKey {
        if let key = derived.withLockedValue({ $0[purpose] }) { return key }
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: secret, info: Data("labgate \(purpose)".utf8), outputByteCount: 32)
        derived.withLockedValue { $0[purpose] = key }
        return key
    }

    /// `plaintext` encrypted with AES-256-GCM under the purpose's key, as text.
    public func seal(_ plaintext: Data, purpose: String) throws -> String {
        guard let combined = try AES.GCM.seal(plaintext, using: key(for: purpose)).combined else {
            throw CryptoKitError.incorrectParameterSize
        }
        return "v1:" + combined.base64URLEncodedString()
    }

    /// What `seal` encrypted; throws if it was altered or sealed under another secret.
    /// - Parameter canonicalOnly: refuse any spelling but the one `seal` writes (padding, say),
    ///   for values a browser hands back.
    public func open(_ sealed: String, purpose: String, canonicalOnly: Bool = false) throws -> Data {
        guard sealed.hasPrefix("v1:"), let combined = Data(base64URLEncoded: sealed.dropFirst(3)),
            !canonicalOnly || combined.base64URLEncodedString() == sealed.dropFirst(3)
        else {
            throw CryptoKitError.incorrectParameterSize
        }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key(for: purpose))
    }

    /// The HMAC-SHA256 of `payload` under the purpose's key, in base64url.
    public func tag(_ payload: Data, purpose: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: payload, using: key(for: purpose))).base64URLEncodedString()
    }
}
