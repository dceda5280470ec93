import LabCore

/// Quotas in MariaDB or SQLite, one row per scope.
struct SQLQuotaRepository: QuotaRepository {
    let database: any SQLDatabase

    func list() async throws -> [Quota] {
        try await database.query("SELECT \(Self.columns) FROM quotas ORDER BY scope", []).compactMap(Self.quota)
    }

    func find(_ scopes: [Quota.Scope]) async throws -> [Quota] {
        guard !scopes.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: scopes.count).joined(separator: ", ")
        return try await database.query(
            "SELECT \(Self.columns) FROM quotas WHERE scope IN (\(marks))", scopes.map { .text($0.description) }
        ).compactMap(Self.quota)
    }

    func save(_ quota: Quota) async throws {
        let limits: [SQLValue] = [.int(quota.instances), .int(quota.cores), .int(quota.memoryMiB), .int(quota.checkpoints)]
        do {
            try await database.execute(
                "INSERT INTO quotas (instances, cores, memory_mib, checkpoints, scope) VALUES (?, ?, ?, ?, ?)", limits + [.text(quota.scope.description)])
        } catch StoreError.duplicate {
            try await database.execute(
                "UPDATE quotas SET instances = ?, cores = ?, memory_mib = ?, checkpoints = ? WHERE scope = ?", limits + [.text(quota.scope.description)])
        }
    }

    func remove(_ scope: Quota.Scope) async throws -> Bool {
        try await database.execute("DELETE FROM quotas WHERE scope = ?", .text(scope.description)) > 0
    }

    private static func quota(_ row: SQLRow) throws -> Quota? {
        guard let scope = Quota.Scope(try row.string("scope")) else { return nil }
        return Quota(
            scope: scope, instances: row.optionalInt("instances"), cores: row.optionalInt("cores"), memoryMiB: row.optionalInt("memory_mib"),
            checkpoints: row.optionalInt("checkpoints"))
    }

    private static let columns = "scope, instances, cores, memory_mib, checkpoints"
}
