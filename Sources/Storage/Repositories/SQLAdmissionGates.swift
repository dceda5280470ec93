import LabCore

/// Admission gates in MariaDB or SQLite: one row per gate, updated first in the admission's
/// transaction, so the row's lock holds every other admission through it until this one
/// commits (SQLite's `BEGIN IMMEDIATE` runs one writer at a time anyway).
struct SQLAdmissionGates: AdmissionGates {
    let database: any SQLDatabase
    let sealing: (any AtRestSealing)?

    func passing<T: Sendable>(_ names: [String], _ body: @Sendable (any LabInstanceRepository) async throws -> T) async throws -> T {
        try await database.transaction { sql in
            // Locked before anything is read: under REPEATABLE READ, the transaction's view of
            // the instances begins with its first plain read, after the previous holder committed.
            for name in Set(names).sorted() {
                try await sql.countUp("admissions", of: "admission_gates", name: name)
            }
            return try await body(SQLLabInstanceRepository(database: sql, sealing: sealing))
        }
    }
}
