import LabCore

/// Platforms and deployments in MariaDB or SQLite.
struct SQLPlatformRepository: PlatformRepository {
    let database: any SQLDatabase

    private static let columns = "id, issuer, client_id, auth_url, token_url, jwks_url, status, created_at"

    func insert(_ platform: Platform) async throws {
        try await database.execute(
            "INSERT INTO platforms (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(platform.id.rawValue), .text(platform.issuer), .text(platform.clientID), .text(platform.authURL),
                .text(platform.tokenURL), .text(platform.jwksURL), .text(platform.status.rawValue), .time(platform.createdAt),
            ]
        )
    }

    func update(_ platform: Platform) async throws -> Bool {
        try await database.execute(
            "UPDATE platforms SET issuer = ?, client_id = ?, auth_url = ?, token_url = ?, jwks_url = ?, status = ? WHERE id = ?",
            [
                .text(platform.issuer), .text(platform.clientID), .text(platform.authURL), .text(platform.tokenURL),
                .text(platform.jwksURL), .text(platform.status.rawValue), .text(platform.id.rawValue),
            ]
        ) > 0
    }

    func find(id: PlatformID) async throws -> Platform? {
        try await database.query("SELECT \(Self.columns) FROM platforms WHERE id = ?", .text(id.rawValue))
            .first.map(Self.platform)
    }

    func find(issuer: String, clientID: String) async throws -> Platform? {
        try await database.query(
            "SELECT \(Self.columns) FROM platforms WHERE issuer = ? AND client_id = ?", .text(issuer), .text(clientID)
        ).first.map(Self.platform)
    }

    func list() async throws -> [Platform] {
        try await database.query("SELECT \(Self.columns) FROM platforms ORDER BY created_at, id", []).map(Self.platform)
    }

    func remove(id: PlatformID) async throws -> Bool {
        try await database.transaction { connection in
            // The issuer's people and courses outlive one of its registrations: they move to
            // another registration of the same issuer, if there is one, before the cascade.
            let sibling = "(SELECT MIN(o.id) FROM platforms o JOIN platforms r ON r.issuer = o.issuer WHERE r.id = ? AND o.id <> r.id)"
            for table in ["users", "courses"] {
                try await connection.execute(
                    "UPDATE \(table) SET platform_id = \(sibling) WHERE platform_id = ? AND \(sibling) IS NOT NULL",
                    [.text(id.rawValue), .text(id.rawValue), .text(id.rawValue)])
            }
            return try await connection.execute("DELETE FROM platforms WHERE id = ?", [.text(id.rawValue)]) > 0
        }
    }

    func addDeployment(_ deploymentID: String, to platformID: PlatformID) async throws {
        do {
            try await database.execute(
                "INSERT INTO deployments (platform_id, deployment_id) VALUES (?, ?)", .text(platformID.rawValue), .text(deploymentID))
        } catch StoreError.duplicate {
            // Already registered: adding a deployment is idempotent.
        } catch StoreError.conflict {
            throw StoreError.conflict("no platform \(platformID) to add deployment \(deploymentID.debugDescription) to")
        }
    }

    func deployments(of platformID: PlatformID) async throws -> [String] {
        try await database.query(
            "SELECT deployment_id FROM deployments WHERE platform_id = ? ORDER BY deployment_id", .text(platformID.rawValue)
        ).map { try $0.string("deployment_id") }
    }

    private static func platform(_ row: SQLRow) throws -> Platform {
        Platform(
            id: try row.id("id"), issuer: try row.string("issuer"), clientID: try row.string("client_id"),
            authURL: try row.string("auth_url"), tokenURL: try row.string("token_url"), jwksURL: try row.string("jwks_url"),
            status: try row.enumeration("status"), createdAt: try row.date("created_at")
        )
    }
}
