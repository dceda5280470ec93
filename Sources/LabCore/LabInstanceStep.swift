import Foundation

/// One step of an instance's lifecycle as a worker ran it: kept so any worker can resume it.
public struct LabInstanceStep: Sendable, Hashable, Codable {
    /// How the step went.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case running, succeeded, failed
    }

    public var instanceID: LabInstanceID
    public var name: String
    public var attempt: Int
    public var outcome: Outcome
    /// What the step waits on outside LabGate (a Proxmox task UPID, say), written before waiting.
    public var reference: String?
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date?
    /// The attempts before this one, oldest first, as a person reads them in `instance show`.
    public var earlierAttempts: [String]

    public init(
        instanceID: LabInstanceID, name: String, attempt: Int = 1, outcome: Outcome = .running,
        reference: String? = nil, error: String? = nil, startedAt: Date, finishedAt: Date? = nil, earlierAttempts: [String] = []
    ) {
        self.instanceID = instanceID
        self.name = name
        self.attempt = attempt
        self.outcome = outcome
        self.reference = reference
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.earlierAttempts = earlierAttempts
    }

    /// This attempt in one line, as it joins `earlierAttempts` when the next one starts.
    public var summary: String {
        "attempt \(attempt) \(outcome.rawValue) at \((finishedAt ?? startedAt).formatted(.iso8601))" + (error.map { ": \($0)" } ?? "")
    }
}
