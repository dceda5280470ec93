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
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("a JWT has three parts separated by dots; this has \(parts.count)") }
        guard let headerData = Data(base64URLEncodedBytes: parts[0]), let payload = Data(base64URLEncodedBytes: parts[1]),
            let signature = Data(base64URLEncodedBytes: parts[2])
        else { throw .malformed("a part of the JWT is not base64url") }
        do {
            header = try JSONDecoder().decode(JOSEHeader.self, from: headerData)
        } catch {
            throw .malformed("the JWT header is not a JSON object with an alg")
        }
        self.payload = payload
        self.signature = signature
        self.signingInput = Data(bytes[..<parts[1].endIndex])
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
