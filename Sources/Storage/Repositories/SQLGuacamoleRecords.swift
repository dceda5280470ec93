import Foundation
import LabCore

/// Guacamole's tables in a MariaDB database of Guacamole's own, or in LabGate's database
/// (migration `guacamole`). Only the columns and rows guacamole-auth-jdbc reads are written.
public struct SQLGuacamoleRecords: GuacamoleRecords {
    let database: any SQLDatabase
    /// Guacamole's DATETIME columns are in its Java VM's zone (UTC in Guacamole's images).
    let calendar: Calendar

    public init(database: any SQLDatabase, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.database = database
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public func publish(_ connection: GuacamoleConnection, for account: GuacamoleAccount) async throws -> Int {
        let dialect = database.dialect
        return try await database.transaction { sql in
            let groupID = try await Self.group(connection.group, in: sql, dialect: dialect)
            let connectionID = try await Self.upsert(connection, groupID: groupID, in: sql, dialect: dialect)
            let entityID = try await Self.entity(of: account, passwordDate: dateTime(Date()), in: sql, dialect: dialect)
            try await Self.grant(entityID, "guacamole_connection_permission", "connection_id", connectionID, in: sql)
            try await Self.grant(entityID, "guacamole_connection_group_permission", "connection_group_id", groupID, in: sql)
            return connectionID
        }
    }

    public func activity(in group: String, since: Date) async throws -> [String: DesktopActivity] {
        let rows = try await database.query(
            """
            SELECT c.connection_name AS name, h.start_date AS started, h.end_date AS ended
            FROM guacamole_connection_history h
            JOIN guacamole_connection c ON c.connection_id = h.connection_id
            JOIN guacamole_connection_group g ON g.connection_group_id = c.parent_id
            WHERE g.connection_group_name = ? AND g.parent_id IS NULL AND (h.end_date IS NULL OR h.end_date >= ?)
            """, .text(group), .text(dateTime(since)))
        var activity: [String: DesktopActivity] = [:]
        for row in rows {
            let name = try row.string("name")
            guard let started = date(row.optionalString("started")) else { continue }
            var entry = activity[name] ?? DesktopActivity()
            if let ended = date(row.optionalString("ended")) {
                entry.lastEnded = max(entry.lastEnded ?? ended, ended)
            } else {
                entry.openSince.append(started)
            }
            activity[name] = entry
        }
        return activity
    }

    /// Writes what Guacamole itself writes when `username` opens the connection (`end` nil while
    /// it is open): for simulations and tests that play Guacamole's part.
    public func recordSession(connection name: String, in group: String, username: String, start: Date, end: Date? = nil) async throws {
        let connection = try await database.query(
            """
            SELECT c.connection_id AS id FROM guacamole_connection c JOIN guacamole_connection_group g ON g.connection_group_id = c.parent_id
            WHERE c.connection_name = ? AND g.connection_group_name = ?
            """, .text(name), .text(group)
        ).first?["id"]
        let user = try await database.query(
            "SELECT u.user_id AS id FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id WHERE e.name = ? AND e.type = 'USER'",
            .text(username)
        ).first?["id"]
        try await database.execute(
            """
            INSERT INTO guacamole_connection_history (user_id, username, remote_host, connection_id, connection_name, start_date, end_date)
            VALUES (?, ?, '198.51.100.7', ?, ?, ?, ?)
            """, user ?? .null, .text(username), connection ?? .null, .text(name), .text(dateTime(start)), end.map { .text(dateTime($0)) } ?? .null)
    }

    public func revoke(connection name: String, in group: String, from username: String) async throws {
        guard let connectionID = try await connectionID(named: name, in: group) else { return }
        try await database.execute(
            """
            DELETE FROM guacamole_connection_permission WHERE connection_id = ? AND permission = 'READ'
            AND entity_id IN (SELECT entity_id FROM guacamole_entity WHERE type = 'USER' AND name = ?)
            """, .int(Int64(connectionID)), .text(username))
    }

    public func remove(connection name: String, in group: String, username: String) async throws {
        try await database.transaction { sql in
            for row in try await sql.query(Self.connectionsNamed, .text(name), .text(group)) {
                let id = SQLValue.int(try row.int64("id"))
                // Explicit rather than by cascade, so both engines end the same.
                try await sql.execute("DELETE FROM guacamole_connection_permission WHERE connection_id = ?", id)
                try await sql.execute("DELETE FROM guacamole_connection_parameter WHERE connection_id = ?", id)
                try await sql.execute("DELETE FROM guacamole_connection WHERE connection_id = ?", id)
            }
            let entities = try await sql.query("SELECT entity_id FROM guacamole_entity WHERE type = 'USER' AND name = ?", .text(username))
            guard let entityID = try entities.first?.int64("entity_id") else { return }
            let readable = try await sql.query(
                "SELECT COUNT(*) AS n FROM guacamole_connection_permission WHERE entity_id = ?", .int(entityID))
            guard try readable.first?.int64("n") == 0 else { return }
            try await sql.execute("DELETE FROM guacamole_connection_group_permission WHERE entity_id = ?", .int(entityID))
            try await sql.execute("DELETE FROM guacamole_user WHERE entity_id = ?", .int(entityID))
            try await sql.execute("DELETE FROM guacamole_entity WHERE entity_id = ?", .int(entityID))
        }
    }

    public func connection(id: Int) async throws -> StoredGuacamoleConnection? {
        let rows = try await database.query(
            """
            SELECT c.connection_name, c.protocol, c.max_connections, c.max_connections_per_user, g.connection_group_name
            FROM guacamole_connection c LEFT JOIN guacamole_connection_group g ON g.connection_group_id = c.parent_id
            WHERE c.connection_id = ?
            """, .int(Int64(id)))
        guard let row = rows.first else { return nil }
        let parameters = try await database.query(
            "SELECT parameter_name, parameter_value FROM guacamole_connection_parameter WHERE connection_id = ?", .int(Int64(id)))
        let readers = try await database.query(
            """
            SELECT e.name FROM guacamole_connection_permission p JOIN guacamole_entity e ON e.entity_id = p.entity_id
            WHERE p.connection_id = ? AND p.permission = 'READ' ORDER BY e.name
            """, .int(Int64(id)))
        let connection = GuacamoleConnection(
            name: try row.string("connection_name"), group: row.optionalString("connection_group_name") ?? "ROOT",
            protocolName: try row.string("protocol"),
            parameters: Dictionary(try parameters.map { (try $0.string("parameter_name"), try $0.string("parameter_value")) }) { $1 },
            maxConnections: row.optionalInt("max_connections"), maxConnectionsPerUser: row.optionalInt("max_connections_per_user"))
        return StoredGuacamoleConnection(id: id, connection: connection, readers: try readers.map { try $0.string("name") })
    }

    public func connectionID(named name: String, in group: String) async throws -> Int? {
        try await database.query(Self.connectionsNamed, .text(name), .text(group)).first?.int("id")
    }

    /// The ids of the connections named so in the group named so under the root, oldest first.
    private static let connectionsNamed = """
        SELECT c.connection_id AS id FROM guacamole_connection c
        JOIN guacamole_connection_group g ON g.connection_group_id = c.parent_id
        WHERE c.connection_name = ? AND g.connection_group_name = ? AND g.parent_id IS NULL ORDER BY c.connection_id
        """

    /// The id of the group named `name` under the root, made if missing. Guacamole's unique
    /// key does not hold at the root (its parent is NULL), so the read locks the spot first.
    private static func group(_ name: String, in sql: any SQLExecutor, dialect: SQLDialect) async throws -> Int64 {
        let existing = try await sql.query(
            "SELECT connection_group_id AS id FROM guacamole_connection_group WHERE connection_group_name = ? AND parent_id IS NULL ORDER BY connection_group_id\(dialect.lockingRead)",
            .text(name))
        if let id = try existing.first?.int64("id") { return id }
        try await sql.execute("INSERT INTO guacamole_connection_group (connection_group_name, type) VALUES (?, 'ORGANIZATIONAL')", .text(name))
        return try await lastInsertID(sql, dialect)
    }

    /// The connection's id, its row and parameters made exactly what `connection` says.
    private static func upsert(_ connection: GuacamoleConnection, groupID: Int64, in sql: any SQLExecutor, dialect: SQLDialect) async throws -> Int {
        let existing = try await sql.query(
            "SELECT connection_id AS id FROM guacamole_connection WHERE connection_name = ? AND parent_id = ?\(dialect.lockingRead)",
            .text(connection.name), .int(groupID))
        let id: Int64
        if let found = try existing.first?.int64("id") {
            id = found
            try await sql.execute(
                "UPDATE guacamole_connection SET protocol = ?, max_connections = ?, max_connections_per_user = ? WHERE connection_id = ?",
                .text(connection.protocolName), .int(connection.maxConnections), .int(connection.maxConnectionsPerUser), .int(id))
            try await sql.execute("DELETE FROM guacamole_connection_parameter WHERE connection_id = ?", .int(id))
        } else {
            try await sql.execute(
                "INSERT INTO guacamole_connection (connection_name, parent_id, protocol, max_connections, max_connections_per_user) VALUES (?, ?, ?, ?, ?)",
                .text(connection.name), .int(groupID), .text(connection.protocolName), .int(connection.maxConnections), .int(connection.maxConnectionsPerUser))
            id = try await lastInsertID(sql, dialect)
        }
        for (name, value) in connection.parameters.sorted(by: { $0.key < $1.key }) {
            try await sql.execute(
                "INSERT INTO guacamole_connection_parameter (connection_id, parameter_name, parameter_value) VALUES (?, ?, ?)",
                .int(id), .text(name), .text(value))
        }
        return Int(id)
    }

    /// The account's entity id; a new account gets its entity and user rows, an existing one is left as it is.
    private static func entity(of account: GuacamoleAccount, passwordDate: String, in sql: any SQLExecutor, dialect: SQLDialect) async throws -> Int64 {
        let select = "SELECT entity_id FROM guacamole_entity WHERE type = 'USER' AND name = ?"
        let entityID: Int64
        if let found = try await sql.query(select, .text(account.username)).first?.int64("entity_id") {
            entityID = found
        } else {
            do {
                try await sql.execute("INSERT INTO guacamole_entity (name, type) VALUES (?, 'USER')", .text(account.username))
                entityID = try await lastInsertID(sql, dialect)
            } catch StoreError.duplicate {
                // Another instance of the same student published it just now.
                guard let found = try await sql.query(select, .text(account.username)).first?.int64("entity_id") else {
                    throw StoreError.duplicate("guacamole user \(account.username)")
                }
                entityID = found
            }
        }
        let users = try await sql.query("SELECT user_id FROM guacamole_user WHERE entity_id = ?", .int(entityID))
        if users.isEmpty {
            try await sql.execute(
                "INSERT INTO guacamole_user (entity_id, password_hash, password_salt, password_date) VALUES (?, ?, ?, ?)",
                .int(entityID), .blob(account.passwordHash), .blob(account.passwordSalt), .text(passwordDate))
        }
        return entityID
    }

    /// READ for the entity on a connection or group, once.
    private static func grant(_ entityID: Int64, _ table: String, _ column: String, _ id: some BinaryInteger, in sql: any SQLExecutor) async throws {
        let held = try await sql.query(
            "SELECT entity_id FROM \(table) WHERE entity_id = ? AND \(column) = ? AND permission = 'READ'", .int(entityID), .int(Int64(id)))
        guard held.isEmpty else { return }
        try await sql.execute("INSERT INTO \(table) (entity_id, \(column), permission) VALUES (?, ?, 'READ')", .int(entityID), .int(Int64(id)))
    }

    private static func lastInsertID(_ sql: any SQLExecutor, _ dialect: SQLDialect) async throws -> Int64 {
        guard let id = try await sql.query(dialect.lastInsertID, []).first?.int64("id") else {
            throw StoreError.failed("the database did not say which id it gave the new row")
        }
        return id
    }

    /// A DATETIME value in Guacamole's zone.
    private func dateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// A DATETIME as the database gives it (`2026-12-04 09:15:02`, maybe with fractions), in Guacamole's zone.
    private func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let numbers = text.split(whereSeparator: { !$0.isNumber }).prefix(6).compactMap { Int($0) }
        guard numbers.count == 6 else { return nil }
        return calendar.date(
            from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4], second: numbers[5]))
    }

}
