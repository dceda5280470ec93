/// Room a new checkpoint must find: fewer than `limit` checkpoints in `scope`, counted
/// through the scope's gate, so two saves at once cannot both take the last place.
public struct CheckpointQuota: Sendable, Hashable {
    public var scope: UsageScope
    public var limit: Int
    /// Whose quota it is, in a person's words ("your course").
    public var holder: String

    public init(scope: UsageScope, limit: Int, holder: String) {
        self.scope = scope
        self.limit = limit
        self.holder = holder
    }

    /// The gate (`AdmissionGates`) the scope's checkpoints pass one after another.
    public var gate: String {
        switch scope {
        case .all: "checkpoints:global"
        case .course(let id): "checkpoints:course:\(id)"
        case .user(let id): "checkpoints:student:\(id)"
        }
    }
}

/// What became of a checkpoint asked to be added.
public enum CheckpointAddition: Sendable, Hashable {
    case added
    /// The lab holds as many as its environment allows.
    case labFull
    /// This quota has no room.
    case quotaFull(CheckpointQuota)
}
