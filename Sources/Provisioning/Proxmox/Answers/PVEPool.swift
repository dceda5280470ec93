/// A resource pool, from `GET /pools`.
public struct PVEPool: Sendable, Hashable, Decodable {
    public var poolid: String
    public var comment: String?
}
