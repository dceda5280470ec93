import Foundation
import LabCore

/// The job ledger in MariaDB or SQLite.
struct SQLJobLedger: JobLedger {
    let database: any SQLDatabase

    func record(_ job: JobRecord) async throws -> Bool {
        do {
            try await database.execute(
                """
                INSERT INTO jobs (idempotency_key, job_id, kind, outcome, attempts, error, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(job.key), .text(job.jobID.rawValue), .text(job.kind), .text(job.outcome.rawValue), .int(job.attempts),
                .text(job.error), .time(job.createdAt), .time(job.updatedAt))
            return true
        } catch StoreError.duplicate {
            return false
        }
    }

    func find(key: String) async throws -> JobRecord? {
        try await database.query(
            "SELECT idempotency_key, job_id, kind, outcome, attempts, error, created_at, updated_at FROM jobs WHERE idempotency_key = ?",
            .text(key)
        ).first.map { row in
            JobRecord(
                key: try row.string("idempotency_key"), jobID: try row.id("job_id"), kind: try row.string("kind"),
                outcome: try row.enumeration("outcome"), attempts: try row.int("attempts"), error: row.optionalString("error"),
                createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
            )
        }
    }

    func finish(key: String, outcome: JobRecord.Outcome, attempts: Int, error: String?, at time: Date) async throws -> Bool {
        try await database.execute(
            "UPDATE jobs SET outcome = ?, attempts = ?, error = ?, updated_at = ? WHERE idempotency_key = ?",
            .text(outcome.rawValue), .int(attempts), .text(error), .time(time), .text(key)
        ) > 0
    }
}
