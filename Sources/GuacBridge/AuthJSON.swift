import Crypto
import Foundation
import WebEncoding
import _CryptoExtras

/// Guacamole's encrypted-JSON login (guacamole-auth-json): the JSON signed with
/// HMAC-SHA256 under the shared `json-secret-key`, the 32-byte signature put in front, the
/// whole encrypted with AES-128-CBC (zero IV, PKCS#7 padding) and base64-encoded.
public struct AuthJSON: Sendable {
    private let key: SymmetricKey

    /// `hexKey`: the 32 hex digits of `json-secret-key`.
    public init(hexKey: String) throws(GuacBridgeError) {
        guard let bytes = [UInt8](hexEncoded: hexKey), bytes.count == 16 else { throw .invalidSecretKey }
        key = SymmetricKey(data: bytes)
    }

    /// A key derived from LabGate's own secret, for installations without a Guacamole of
    /// their own (the embedded defaults), where nobody else needs to know it.
    public init(derivedFrom secret: some DataProtocol) {
        let derived = HMAC<SHA256>.authenticationCode(for: Array("guacamole json-secret-key".utf8), using: SymmetricKey(data: Array(secret)))
        key = SymmetricKey(data: Array(derived.prefix(16)))
    }

    /// The base64 `data` value for `json`.
    public func seal(_ json: Data) throws -> String {
        let signature = HMAC<SHA256>.authenticationCode(for: json, using: key)
        return try AES._CBC.encrypt(Data(signature) + json, using: key, iv: Self.zeroIV).base64EncodedString()
    }

    /// The JSON inside a `data` value, if it decrypts and its signature holds.
    public func open(_ data: String) throws(GuacBridgeError) -> Data {
        let compact = data.filter { !$0.isWhitespace }
        guard let ciphertext = Data(base64Encoded: compact),
            let plaintext = try? AES._CBC.decrypt(ciphertext, using: key, iv: Self.zeroIV), plaintext.count > 32
        else { throw .invalidLogin }
        let json = plaintext.dropFirst(32)
        guard HMAC<SHA256>.isValidAuthenticationCode(plaintext.prefix(32), authenticating: json, using: key) else { throw .invalidLogin }
        return Data(json)
    }

    /// The login LabGate sends for a student: their Guacamole user, valid until `expires`,
    /// once; the connections come from Guacamole's database, not from the JSON.
    public static func login(username: String, expires: Date) -> Data {
        let millis = Int64((expires.timeIntervalSince1970 * 1000).rounded(.down))
        let object: [String: Any] = ["username": username, "expires": millis, "singleUse": true, "connections": [String: Any]()]
        // Only strings, numbers, booleans and objects: serialization cannot fail.
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    private static let zeroIV = try! AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16))
}
