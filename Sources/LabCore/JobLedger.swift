import Foundation

/// The durable record of jobs by idempotency key, so the same request enqueues work once
/// even when it arrives twice or on two servers.
public protocol JobLedger: Sendable {
    /// Records `job` unless a job with its idempotency key exists; returns whether it was new.
    func record(_ job: JobRecord) async throws -> Bool
    /// The job recorded under this idempotency key.
    func find(key: String) async throws -> JobRecord?
    /// Marks a job finished with this outcome and attempt count; returns false if unknown.
    func finish(key: String, outcome: JobRecord.Outcome, attempts: Int, error: String?, at time: Date) async throws -> Bool
}

/// A job as the ledger keeps it.
public struct JobRecord: Sendable, Hashable, Codable {
    /// Where the job stands.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case queued, succeeded, failed
    }

    public var key: String
    public var jobID: JobID
    public var kind: String
    public var outcome: Outcome
    public var attempts: Int
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        key: String, jobID: JobID, kind: String, outcome: Outcome = .queued, attempts: Int = 0,
        error: String? = nil, createdAt: Date, updatedAt: Date? = nil
    ) {
        self.key = key
        self.jobID = jobID
        self.kind = kind
        self.outcome = outcome
        self.attempts = attempts
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}
