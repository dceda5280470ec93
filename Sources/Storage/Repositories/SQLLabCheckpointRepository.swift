import LabCore

/// Labs' checkpoints in MariaDB or SQLite.
struct SQLLabCheckpointRepository: LabCheckpointRepository {
    let database: any SQLDatabase

    private static let columns = "instance_id, name, label, status, problem, created_at"
    /// The statuses that take a place, as an SQL list.
    private static let counted = LabCheckpoint.Status.allCases.filter(\.counts).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    func list(instanceID: LabInstanceID) async throws -> [LabCheckpoint] {
        try await database.query("SELECT \(Self.columns) FROM lab_checkpoints WHERE instance_id = ? ORDER BY created_at, name", .text(instanceID.rawValue))
            .map(Self.checkpoint)
    }

    func list(courseID: CourseID) async throws -> [LabCheckpoint] {
        let columns = Self.columns.split(separator: ", ").map { "c.\($0)" }.joined(separator: ", ")
        return try await database.query(
            """
            SELECT \(columns) FROM lab_checkpoints c JOIN lab_instances i ON i.id = c.instance_id
            WHERE i.course_id = ? ORDER BY c.created_at, c.name
            """, .text(courseID.rawValue)
        ).map(Self.checkpoint)
    }

    func add(_ checkpoint: LabCheckpoint, limit: Int, within quotas: [CheckpointQuota]) async throws -> CheckpointAddition {
        let lockingRead = database.dialect.lockingRead
        return try await database.transaction { connection in
            // The quotas' gates in one order, then the lab's row, locked, line up the adders
            // (SQLite's writer lock does so already).
            for gate in Set(quotas.map(\.gate)).sorted() {
                try await connection.countUp("admissions", of: "admission_gates", name: gate)
            }
            _ = try await connection.query("SELECT id FROM lab_instances WHERE id = ?\(lockingRead)", [.text(checkpoint.instanceID.rawValue)])
            let held =
                try await connection.query(
                    "SELECT COUNT(*) AS n FROM lab_checkpoints WHERE instance_id = ? AND status IN (\(Self.counted))", [.text(checkpoint.instanceID.rawValue)]
                ).first?.int("n") ?? 0
            guard held < limit else { return .labFull }
            for quota in quotas where try await Self.count(in: quota.scope, on: connection) >= quota.limit {
                return .quotaFull(quota)
            }
            _ = try await connection.execute(
                "INSERT INTO lab_checkpoints (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    .text(checkpoint.instanceID.rawValue), .text(checkpoint.name), .text(checkpoint.label), .text(checkpoint.status.rawValue),
                    .text(checkpoint.problem), .time(checkpoint.createdAt),
                ])
            return .added
        }
    }

    @discardableResult
    func mark(_ instanceID: LabInstanceID, name: String, _ status: LabCheckpoint.Status, problem: String?) async throws -> Bool {
        try await database.execute(
            "UPDATE lab_checkpoints SET status = ?, problem = ? WHERE instance_id = ? AND name = ?",
            .text(status.rawValue), .text(problem), .text(instanceID.rawValue), .text(name)) == 1
    }

    func remove(_ instanceID: LabInstanceID, name: String) async throws {
        _ = try await database.execute("DELETE FROM lab_checkpoints WHERE instance_id = ? AND name = ?", .text(instanceID.rawValue), .text(name))
    }

    func count(in scope: UsageScope) async throws -> Int {
        try await Self.count(in: scope, on: database)
    }

    private static func count(in scope: UsageScope, on sql: any SQLExecutor) async throws -> Int {
        let (condition, values) = scope.condition(on: "i.")
        return try await sql.query(
            """
            SELECT COUNT(*) AS n FROM lab_checkpoints c JOIN lab_instances i ON i.id = c.instance_id
            WHERE c.status IN (\(Self.counted))\(condition)
            """, values
        ).first?.int("n") ?? 0
    }

    func removeAll(of instanceID: LabInstanceID) async throws {
        _ = try await database.execute("DELETE FROM lab_checkpoints WHERE instance_id = ?", .text(instanceID.rawValue))
    }

    private static func checkpoint(_ row: SQLRow) throws -> LabCheckpoint {
        LabCheckpoint(
            instanceID: try row.id("instance_id"), name: try row.string("name"), label: try row.string("label"), status: try row.enumeration("status"),
            problem: row.optionalString("problem"), createdAt: try row.date("created_at"))
    }
}
