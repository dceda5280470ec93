import Foundation
import Storage
import TestSupport

/// Where Guacamole's records live in a test: Guacamole 1.6's own schema (the fixture) in a
/// scratch MariaDB database, or LabGate's migrated SQLite database with the same tables.
enum GuacamoleSchema: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, mariadb

    var description: String { rawValue }

    static var underTest: [GuacamoleSchema] {
        TestServers.shouldTest(TestServers.mariaDBPort) ? [.sqlite, .mariadb] : [.sqlite]
    }

    func withDatabase<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
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
}
