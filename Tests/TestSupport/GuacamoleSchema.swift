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
        try await SQLGuacamoleRecords(database: database).recordSession(connection: name, in: group, username: username, start: start, end: end)
    }
}
