/// Where a lab instance is in its life. The allowed moves are listed in one place,
/// `successors`, so a worker can never skip a step or revive a deleted VM.
public enum LabInstanceState: String, Sendable, Hashable, Codable, CaseIterable {
    case requested, allocating, cloning, configuring, starting
    case waitingForAddress = "waiting-for-address"
    case ready, claiming, stopping, stopped, resetting, checkpointing, deleting, deleted, failed

    /// The states this one may move to.
    public var successors: Set<LabInstanceState> {
        switch self {
        case .requested: [.allocating, .failed, .deleting]
        case .allocating: [.cloning, .failed, .deleting]
        case .cloning: [.configuring, .failed, .deleting]
        // A prepared lab waits stopped for its start time.
        case .configuring: [.starting, .stopped, .failed, .deleting]
        case .starting: [.waitingForAddress, .stopping, .failed, .deleting]
        case .waitingForAddress: [.ready, .stopping, .failed, .deleting]
        case .ready: [.stopping, .resetting, .checkpointing, .claiming, .failed, .deleting]
        // A spare its student's password cannot be set in is destroyed and cloned afresh.
        case .claiming: [.ready, .requested, .failed, .deleting]
        case .stopping: [.stopped, .failed, .deleting]
        case .stopped: [.starting, .resetting, .checkpointing, .failed, .deleting]
        case .resetting: [.starting, .failed, .deleting]
        // Back to where it was: ready while it runs, stopped otherwise.
        case .checkpointing: [.ready, .stopped, .failed, .deleting]
        case .deleting: [.deleted, .failed]
        case .failed: [.requested, .deleting]
        case .deleted: []
        }
    }

    /// Whether no work is pending: the instance stays so until someone asks for a change.
    public var isResting: Bool {
        switch self {
        case .ready, .stopped, .deleted, .failed: true
        default: false
        }
    }

    /// Whether the instance still holds (or may come to hold) a VM; a user has at most
    /// one live instance per environment.
    public var isLive: Bool { self != .deleted }
}
