import Foundation

public typealias LabInstanceID = Identifier<LabInstance>

/// One student's copy of an environment: the VM LabGate clones, starts and deletes for them.
public struct LabInstance: Sendable, Hashable, Codable {
    public var id: LabInstanceID
    public var userID: UserID
    public var environmentID: EnvironmentID
    /// The course whose activity asked for it, when it came from a launch.
    public var courseID: CourseID?
    public private(set) var state: LabInstanceState
    /// Why the instance failed; set only in `failed`.
    public private(set) var failureReason: String?
    /// Why LabGate itself stopped it (left idle, its maximum session), for its student; only
    /// while stopping or stopped.
    public var pauseReason: String?
    /// The VM students connect to: the environment's first.
    public var vmid: Int?
    /// The node every VM of the instance runs on.
    public var node: String?
    /// The environment's other VMs, in its order, on the same node.
    public var companionVMIDs: [Int]
    public var address: String?
    /// When the lifetime ends and the instance is torn down; set when it is first allocated.
    public var expiresAt: Date?
    /// The password generated for the guest's user (cloud-init), handed to Guacamole; never shown.
    public var guestPassword: String?
    /// The cores and memory (MiB) of all its VMs, as counted against quotas.
    public var cores: Int
    public var memoryMiB: Int
    /// The class session it was prepared for, until its student (or, for a spare, the student
    /// who claims it) takes it; what is still prepared when the session ends is removed.
    public var preparedFor: ClassSessionID?
    /// Whether it belongs to nobody yet: a spare of a prepared class, waiting to be claimed.
    /// Its `userID` is then the course's placeholder, never a person's.
    public var isSpare: Bool
    /// Bumped by every save; a save based on an older version is refused (optimistic locking).
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: LabInstanceID = .random(), userID: UserID, environmentID: EnvironmentID, courseID: CourseID? = nil,
        state: LabInstanceState = .requested, failureReason: String? = nil, vmid: Int? = nil,
        companionVMIDs: [Int] = [], node: String? = nil, address: String? = nil, expiresAt: Date? = nil, guestPassword: String? = nil, cores: Int = 0,
        memoryMiB: Int = 0, version: Int = 1, createdAt: Date, updatedAt: Date? = nil, pauseReason: String? = nil,
        preparedFor: ClassSessionID? = nil, isSpare: Bool = false
    ) {
        self.preparedFor = preparedFor
        self.isSpare = isSpare
        self.id = id
        self.userID = userID
        self.environmentID = environmentID
        self.courseID = courseID
        self.state = state
        self.failureReason = failureReason
        self.vmid = vmid
        self.companionVMIDs = companionVMIDs
        self.node = node
        self.address = address
        self.expiresAt = expiresAt
        self.guestPassword = guestPassword
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.pauseReason = pauseReason
    }

    /// Every VM of the instance, the one students connect to first.
    public var vmids: [Int] {
        (vmid.map { [$0] } ?? []) + companionVMIDs
    }

    /// Moves to `next` if the state machine allows it.
    public mutating func transition(to next: LabInstanceState, at time: Date, reason: String? = nil) throws(LabInstanceError) {
        guard state.successors.contains(next) else {
            throw .illegalTransition(from: state, to: next)
        }
        if next == .failed, reason == nil {
            throw .failureWithoutReason
        }
        state = next
        failureReason = next == .failed ? reason : nil
        if next != .stopping && next != .stopped { pauseReason = nil }
        updatedAt = time
    }
}

/// Why a lab instance refused a change.
public enum LabInstanceError: Error, Equatable, CustomStringConvertible {
    case illegalTransition(from: LabInstanceState, to: LabInstanceState)
    case failureWithoutReason

    public var description: String {
        switch self {
        case .illegalTransition(let from, let to): "a lab instance cannot go from \(from.rawValue) to \(to.rawValue)"
        case .failureWithoutReason: "a failed lab instance must say why it failed"
        }
    }
}
