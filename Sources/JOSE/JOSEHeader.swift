import Foundation
import WebEncoding

/// The protected header of a JWS: which algorithm and which key signed it.
public struct JOSEHeader: Codable, Sendable, Hashable {
    public var alg: String
    public var kid: String?
    public var typ: String?

    public init(alg: String = "RS256", kid: String?, typ: String? = "JWT") {
        self.alg = alg
        self.kid = kid
        self.typ = typ
    }
}

extension JOSEHeader {
    /// The header in `json`, read as `Codable` reads it (a string `alg`; `kid` and `typ`
    /// strings, absent or null) without its cost on every launch; nil for anything else.
    init?(json: Data) {
        guard let members = (try? ParsedJSON.parse(json))?.object, let alg = members["alg"]?.string,
            let kid = members["kid"].optional(\.string), let typ = members["typ"].optional(\.string)
        else { return nil }
        self.init(alg: alg, kid: kid, typ: typ)
    }
}
