import Foundation
import LabCore

/// The tool's signing keys in MariaDB or SQLite.
struct SQLToolKeyRepository: ToolKeyRepository {
    let database: any SQLDatabase

    func insert(_ key: ToolKey) async throws {
        try await database.execute(
            "INSERT INTO tool_keys (kid, sealed_private_key, created_at, activates_at, retires_at) VALUES (?, ?, ?, ?, ?)",
            [.text(key.kid), .text(key.sealedPrivateKey), .time(key.createdAt), .time(key.activatesAt), .time(key.retiresAt)]
        )
    }

    func list() async throws -> [ToolKey] {
        try await database.query(
            "SELECT kid, sealed_private_key, created_at, activates_at, retires_at FROM tool_keys ORDER BY created_at, kid", []
        ).map { row in
            ToolKey(
                kid: try row.string("kid"), sealedPrivateKey: try row.string("sealed_private_key"), createdAt: try row.date("created_at"),
                activatesAt: try row.date("activates_at"), retiresAt: row.optionalDate("retires_at"))
        }
    }

    func retire(kid: String, at date: Date) async throws -> Bool {
        try await database.execute("UPDATE tool_keys SET retires_at = ? WHERE kid = ?", .time(date), .text(kid)) > 0
    }

    func purge(retiredBefore date: Date) async throws -> Int {
        try await database.execute("DELETE FROM tool_keys WHERE retires_at IS NOT NULL AND retires_at < ?", .time(date))
    }
}
