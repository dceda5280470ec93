import Foundation

/// A point a student saved in their lab to come back to: a Proxmox snapshot of each of the
/// lab's VMs, under one name, with the student's label.
public struct LabCheckpoint: Sendable, Hashable, Codable {
    /// Where the checkpoint stands; every status but `saved` and `failed` is work for the lab's worker.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case saving, saved, restoring, deleting, failed

        /// Whether the checkpoint takes one of the lab's places (a failed one does not).
        public var counts: Bool { self != .failed }
    }

    public var instanceID: LabInstanceID
    /// The snapshot's name in Proxmox: `cp-` and random letters, unique within the lab.
    public var name: String
    /// What the student called it.
    public var label: String
    public var status: Status
    /// Why it could not be saved; set only in `failed`.
    public var problem: String?
    public var createdAt: Date

    public init(instanceID: LabInstanceID, name: String, label: String, status: Status = .saving, problem: String? = nil, createdAt: Date) {
        self.instanceID = instanceID
        self.name = name
        self.label = label
        self.status = status
        self.problem = problem
        self.createdAt = createdAt
    }

    /// A fresh snapshot name: Proxmox wants a letter first, then letters, digits, `-` and `_`.
    public static func newName() -> String {
        var generator = SystemRandomNumberGenerator()
        return "cp-" + String(format: "%012llx", (generator.next() as UInt64) >> 16)
    }
}

/// The labs' checkpoints.
public protocol LabCheckpointRepository: Sendable {
    /// The lab's checkpoints, oldest first.
    func list(instanceID: LabInstanceID) async throws -> [LabCheckpoint]
    /// The checkpoints of every lab of the course, for the teacher's page.
    func list(courseID: CourseID) async throws -> [LabCheckpoint]
    /// Adds `checkpoint` if the lab holds fewer than `limit` that count and every one of
    /// `quotas` has room, in one step through the quotas' gates.
    func add(_ checkpoint: LabCheckpoint, limit: Int, within quotas: [CheckpointQuota]) async throws -> CheckpointAddition
    /// Sets the checkpoint's status (and problem); returns whether it was there.
    @discardableResult
    func mark(_ instanceID: LabInstanceID, name: String, _ status: LabCheckpoint.Status, problem: String?) async throws -> Bool
    func remove(_ instanceID: LabInstanceID, name: String) async throws
    /// How many checkpoints that take a place (not failed) the labs of `scope` hold.
    func count(in scope: UsageScope) async throws -> Int
    /// Forgets every checkpoint of a lab that is gone.
    func removeAll(of instanceID: LabInstanceID) async throws
}
