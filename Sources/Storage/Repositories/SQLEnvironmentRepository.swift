import LabCore

/// Environments in MariaDB or SQLite.
struct SQLEnvironmentRepository: EnvironmentRepository {
    let database: any SQLDatabase

    func save(_ environment: Environment) async throws -> Environment {
        do {
            try await database.execute(
                "INSERT INTO environments (id, name, title, specification) VALUES (?, ?, ?, ?)",
                .text(environment.id.rawValue), .text(environment.name), .text(environment.title), .text(environment.specification))
        } catch StoreError.duplicate {
            try await database.execute(
                "UPDATE environments SET title = ?, specification = ? WHERE name = ?",
                .text(environment.title), .text(environment.specification), .text(environment.name))
        }
        guard let stored = try await find(name: environment.name) else {
            throw StoreError.failed("environment \(environment.name.debugDescription) vanished right after it was saved")
        }
        return stored
    }

    func find(id: EnvironmentID) async throws -> Environment? {
        try await database.query("SELECT id, name, title, specification FROM environments WHERE id = ?", .text(id.rawValue))
            .first.map(Self.environment)
    }

    func find(name: String) async throws -> Environment? {
        try await database.query("SELECT id, name, title, specification FROM environments WHERE name = ?", .text(name))
            .first.map(Self.environment)
    }

    func list() async throws -> [Environment] {
        try await database.query("SELECT id, name, title, specification FROM environments ORDER BY name", [])
            .map(Self.environment)
    }

    func remove(id: EnvironmentID) async throws -> Bool {
        do {
            return try await database.execute("DELETE FROM environments WHERE id = ?", .text(id.rawValue)) > 0
        } catch StoreError.conflict {
            throw StoreError.conflict("environment \(id) still has lab instances; delete them first")
        }
    }

    private static func environment(_ row: SQLRow) throws -> Environment {
        Environment(
            id: try row.id("id"), name: try row.string("name"), title: try row.string("title"),
            specification: try row.string("specification")
        )
    }
}
