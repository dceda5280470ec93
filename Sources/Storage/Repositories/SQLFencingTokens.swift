import LabCore

/// Fencing tokens in MariaDB or SQLite: one row per lock, counted up in a transaction, so two
/// drawers never get the same token and a token never goes back, whatever the ephemeral store lost.
struct SQLFencingTokens: FencingTokens {
    let database: any SQLDatabase

    func draw(for name: String) async throws -> Int64 {
        try await database.transaction { sql in
            try await sql.countUp("token", of: "fencing_tokens", name: name)
            let rows = try await sql.query("SELECT token FROM fencing_tokens WHERE name = ?", .text(name))
            return try rows[0].int64("token")
        }
    }

    func latest(for name: String) async throws -> Int64? {
        try await database.query("SELECT token FROM fencing_tokens WHERE name = ?", .text(name)).first?.int64("token")
    }
}
