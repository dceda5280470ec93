import Foundation
import Storage

/// Where Guacamole's records live in a test: Guacamole 1.6's own schema (the fixture) in a
/// scratch MariaDB database, or LabGate's migrated SQLite database with the same tables.
public enum GuacamoleSchema: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, mariadb

    public var description: String { rawValue }

    public static var underTest: [GuacamoleSchema] {
        TestServers.shouldTest(TestServers.mariaDBPort) ? [.sqlite, .mariadb] : [.sqlite]
    }

    public func withDatabase<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            return try await RelationalEngine.sqlite.withDatabase(body)
        case .mariadb:
            return try await TestServers.withScratchMariaDB(prepare: { database in
                for file in ["001-create-schema.sql", "002-create-admin-user.sql"] {
                    for statement in try Self.statements(of: Self.fixtures.appendingPathComponent(file)) {
                        try await database.execute(statement, [])
                    }
                }
            }) { try await body($0) }
        }
    }

    /// `../shared/fixtures/guacamole` next to the repository.
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/fixtures/guacamole").standardizedFileURL

    /// The statements of a schema file, as its README says to load them: `--` lines dropped, split on `;`.
    static func statements(of file: URL) throws -> [String] {
        let text = try String(contentsOf: file, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(separator: "\n")
        return kept.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// A session as Guacamole records it in `guacamole_connection_history` when a user opens a
    /// connection (`end` nil while it is open), times in UTC as Guacamole's Java VM writes them.
    public static func recordSession(
        connection name: String, group: String = "labgate", username: String, start: Date, end: Date? = nil, in database: any SQLDatabase
    ) async throws {
        let connection = try await database.query(
            """
            SELECT c.connection_id AS id FROM guacamole_connection c JOIN guacamole_connection_group g ON g.connection_group_id = c.parent_id
            WHERE c.connection_name = ? AND g.connection_group_name = ?
            """, [.text(name), .text(group)]
        ).first?["id"]
        let user = try await database.query(
            "SELECT u.user_id AS id FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id WHERE e.name = ? AND e.type = 'USER'",
            [.text(username)]
        ).first?["id"]
        try await database.execute(
            """
            INSERT INTO guacamole_connection_history (user_id, username, remote_host, connection_id, connection_name, start_date, end_date)
            VALUES (?, ?, '198.51.100.7', ?, ?, ?, ?)
            """, [user ?? .null, .text(username), connection ?? .null, .text(name), .text(dateTime(start)), end.map { .text(dateTime($0)) } ?? .null])
    }

    private static func dateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
