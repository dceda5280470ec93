import Foundation
import LabCore

/// Platforms' web-service access in MariaDB or SQLite; the token arrives sealed and stays so.
struct SQLWebServiceAccessRepository: WebServiceAccessRepository {
    let database: any SQLDatabase

    private static let columns = "platform_id, site_url, sealed_token, updated_at"

    func save(_ access: WebServiceAccess) async throws {
        try await database.transaction { connection in
            let key = SQLValue.text(access.platformID.rawValue)
            _ = try await connection.execute("DELETE FROM web_service_access WHERE platform_id = ?", [key])
            _ = try await connection.execute(
                "INSERT INTO web_service_access (\(Self.columns)) VALUES (?, ?, ?, ?)",
                [key, .text(access.siteURL), .text(access.sealedToken), .time(access.updatedAt)])
        }
    }

    func find(platformID: PlatformID) async throws -> WebServiceAccess? {
        try await database.query("SELECT \(Self.columns) FROM web_service_access WHERE platform_id = ?", .text(platformID.rawValue)).first.map(Self.access)
    }

    func list() async throws -> [WebServiceAccess] {
        try await database.query("SELECT \(Self.columns) FROM web_service_access ORDER BY platform_id", []).map(Self.access)
    }

    func remove(platformID: PlatformID) async throws -> Bool {
        try await database.execute("DELETE FROM web_service_access WHERE platform_id = ?", [.text(platformID.rawValue)]) > 0
    }

    private static func access(_ row: SQLRow) throws -> WebServiceAccess {
        WebServiceAccess(
            platformID: try row.id("platform_id"), siteURL: try row.string("site_url"), sealedToken: try row.string("sealed_token"),
            updatedAt: try row.date("updated_at"))
    }
}
