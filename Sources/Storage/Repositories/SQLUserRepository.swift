import LabCore

/// Users in MariaDB or SQLite.
struct SQLUserRepository: UserRepository {
    let database: any SQLDatabase

    func upsert(_ user: User) async throws -> User {
        // One person per (issuer, sub), whichever of the issuer's registrations they came through.
        let key: [SQLValue] = [.text(user.platformID.rawValue), .text(user.subject)]
        let inserted: Int
        do {
            inserted = try await database.execute(
                "INSERT INTO users (id, platform_id, issuer, subject, name, email) SELECT ?, id, issuer, ?, ?, ? FROM platforms WHERE id = ?",
                .text(user.id.rawValue), .text(user.subject), .text(user.name), .text(user.email), .text(user.platformID.rawValue))
        } catch StoreError.duplicate {
            // Known already (or created by a concurrent launch): refresh what the platform sent.
            inserted = try await database.execute(
                "UPDATE users SET name = COALESCE(?, name), email = COALESCE(?, email) WHERE issuer = \(Self.issuerOf) AND subject = ?",
                [.text(user.name), .text(user.email)] + key)
        }
        guard inserted > 0 else { throw StoreError.conflict("no platform \(user.platformID) for user \(user.subject.debugDescription)") }
        guard
            let stored = try await database.query(
                "SELECT id, platform_id, subject, name, email FROM users WHERE issuer = \(Self.issuerOf) AND subject = ?", key
            ).first
        else {
            throw StoreError.failed("user \(user.subject.debugDescription) vanished right after it was saved")
        }
        return try Self.user(stored)
    }

    /// The issuer of the registration bound to the next `?`.
    static let issuerOf = "(SELECT issuer FROM platforms WHERE id = ?)"

    func find(id: UserID) async throws -> User? {
        try await database.query("SELECT id, platform_id, subject, name, email FROM users WHERE id = ?", .text(id.rawValue))
            .first.map(Self.user)
    }

    private static func user(_ row: SQLRow) throws -> User {
        User(
            id: try row.id("id"), platformID: try row.id("platform_id"), subject: try row.string("subject"),
            name: row.optionalString("name"), email: row.optionalString("email")
        )
    }
}
