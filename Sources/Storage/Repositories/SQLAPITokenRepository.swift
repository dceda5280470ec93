import Foundation
import LabCore

/// The admin API's tokens in MariaDB or SQLite.
struct SQLAPITokenRepository: APITokenRepository {
    let database: any SQLDatabase

    private static let columns = "id, name, scope, secret_hash, created_at, expires_at, revoked_at"

    func insert(_ token: APIToken) async throws {
        try await database.execute(
            "INSERT INTO api_tokens (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(token.id.rawValue), .text(token.name), .text(token.scope.rawValue), .text(token.secretHash), .time(token.createdAt),
                .time(token.expiresAt), .time(token.revokedAt),
            ])
    }

    func find(id: APITokenID) async throws -> APIToken? {
        try await database.query("SELECT \(Self.columns) FROM api_tokens WHERE id = ?", [.text(id.rawValue)]).first.map(Self.token)
    }

    func list() async throws -> [APIToken] {
        try await database.query("SELECT \(Self.columns) FROM api_tokens ORDER BY created_at, name", []).map(Self.token)
    }

    func revoke(name: String, at date: Date) async throws -> Bool {
        try await database.execute("UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", .time(date), .text(name)) > 0
    }

    private static func token(_ row: SQLRow) throws -> APIToken {
        guard let scope = APIToken.Scope(rawValue: try row.string("scope")) else {
            throw StoreError.failed("api token \(try row.string("id")) has an unknown scope")
        }
        return APIToken(
            id: APITokenID(try row.string("id")), name: try row.string("name"), scope: scope, secretHash: try row.string("secret_hash"),
            createdAt: try row.date("created_at"), expiresAt: row.optionalDate("expires_at"), revokedAt: row.optionalDate("revoked_at"))
    }
}
