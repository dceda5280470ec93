import LabCore

/// Fencing tokens in MariaDB or SQLite: one row per lock, counted up in a transaction, so two
/// drawers never get the same token and a token never goes back, whatever the ephemeral store lost.
struct SQLFencingTokens: FencingTokens {
    let database: any SQLDatabase

    func draw(for name: String) async throws -> Int64 {
        try await database.transaction { sql in
            if try await sql.execute("UPDATE fencing_tokens SET token = token + 1 WHERE name = ?", .text(name)) == 0 {
                // The first draw: a drawer racing this one waits on the key, then fails the
                // insert and the transaction is run again, finding the row.
                do {
                    try await sql.execute("INSERT INTO fencing_tokens (name, token) VALUES (?, 1)", .text(name))
                } catch StoreError.duplicate(let why) {
                    throw StoreError.retryable(why)
                }
            }
            let rows = try await sql.query("SELECT token FROM fencing_tokens WHERE name = ?", .text(name))
            return try rows[0].int64("token")
        }
    }

    func latest(for name: String) async throws -> Int64? {
        try await database.query("SELECT token FROM fencing_tokens WHERE name = ?", .text(name)).first?.int64("token")
    }
}
