import Foundation
import WebEncoding

/// A JWS in compact serialization (`header.payload.signature`), parsed but not yet trusted.
public struct CompactJWS: Sendable {
    public let header: JOSEHeader
    public let payload: Data
    public let signature: Data
    /// `header.payload` exactly as received: what the signature covers.
    public let signingInput: Data

    /// Splits and decodes a token; checks the form only, never the signature.
    public init(parsing token: some StringProtocol) throws(JOSEError) {
        let bytes = Array(token.utf8)
        let dot = UInt8(ascii: ".")
        guard let first = bytes.firstIndex(of: dot), let last = bytes.lastIndex(of: dot), first != last,
            bytes[(first + 1)..<last].firstIndex(of: dot) == nil
        else {
            throw .malformed("a JWT has three parts separated by dots; this has \(bytes.count { $0 == dot } + 1)")
        }
        guard let headerData = Data(base64URLEncodedBytes: bytes[..<first]), let payload = Data(base64URLEncodedBytes: bytes[(first + 1)..<last]),
            let signature = Data(base64URLEncodedBytes: bytes[(last + 1)...])
        else { throw .malformed("a part of the JWT is not base64url") }
        guard let header = JOSEHeader(json: headerData) else { throw .malformed("the JWT header is not a JSON object with an alg") }
        self.header = header
        self.payload = payload
        self.signature = signature
        self.signingInput = Data(bytes[..<last])
    }

    /// Checks that the token is RS256 and signed by `key`. Any other `alg` is refused
    /// before a key is touched, so `none` or an HMAC keyed with a public key never passes.
    public func verify(with key: RSAVerificationKey) throws(JOSEError) {
        guard header.alg == "RS256" else { throw .unsupportedAlgorithm(header.alg) }
        guard key.verifies(signature, for: signingInput) else { throw .badSignature }
    }

    /// Signs `payload` (JSON) with `key` as RS256 and returns the compact token.
    public static func sign(payload: Data, with key: RSASigningKey) throws -> String {
        let header = try JSONEncoder().encode(JOSEHeader(kid: key.kid))
        let input = header.base64URLEncodedString() + "." + payload.base64URLEncodedString()
        return input + "." + (try key.sign(Data(input.utf8))).base64URLEncodedString()
    }
}
