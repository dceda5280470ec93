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
