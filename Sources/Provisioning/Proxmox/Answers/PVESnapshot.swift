/// A snapshot of a VM, from `GET …/snapshot`; `current` is the running state, not a snapshot.
public struct PVESnapshot: Sendable, Hashable, Decodable {
    public var name: String
    public var parent: String?
    public var description: String?
}
