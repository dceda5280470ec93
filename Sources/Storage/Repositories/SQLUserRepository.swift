import LabCore

/// Users in MariaDB or SQLite.
struct SQLUserRepository: UserRepository {
    let database: any SQLDatabase

    func upsert(_ user: User) async throws -> User {
        let key: [SQLValue] = [.text(user.platformID.rawValue), .text(user.subject)]
        do {
            try await database.execute(
                "INSERT INTO users (id, platform_id, subject, name, email) VALUES (?, ?, ?, ?, ?)",
                [.text(user.id.rawValue)] + key + [.text(user.name), .text(user.email)])
        } catch StoreError.duplicate {
            // Known already (or created by a concurrent launch): refresh what the platform sent.
            try await database.execute(
                "UPDATE users SET name = COALESCE(?, name), email = COALESCE(?, email) WHERE platform_id = ? AND subject = ?",
                [.text(user.name), .text(user.email)] + key)
        }
        guard let stored = try await database.query(
            "SELECT id, platform_id, subject, name, email FROM users WHERE platform_id = ? AND subject = ?", key
        ).first else {
            throw StoreError.failed("user \(user.subject.debugDescription) vanished right after it was saved")
        }
        return try Self.user(stored)
    }

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
