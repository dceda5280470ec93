/// Why a JSON Web Token or key could not be read or checked.
public enum JOSEError: Error, Equatable, Sendable {
    /// Not three base64url parts, or a part that is not the JSON it should be.
    case malformed(String)
    /// The header names an algorithm other than RS256 (`none`, `HS256`, …).
    case unsupportedAlgorithm(String)
    /// The signature does not verify with the key.
    case badSignature
    /// A key that is not a usable RSA key.
    case invalidKey(String)
}
