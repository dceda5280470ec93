import Foundation
import LabCore
import Storage
import TestSupport

/// The relational engines every repository test runs on.
enum RelationalEngine: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, mariadb

    var description: String { rawValue }

    static var underTest: [RelationalEngine] {
        TestServers.shouldTest(TestServers.mariaDBPort) ? [.sqlite, .mariadb] : [.sqlite]
    }

    /// Runs `body` on a fresh, migrated database of this engine.
    func withDatabase<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("test.sqlite").path)
            try await Migrator(database: database).migrate()
            return try await withCleanup { try await body(database) } cleanup: { await database.shutdown() }
        case .mariadb:
            return try await TestServers.withScratchMariaDB { database in
                try await Migrator(database: database).migrate()
                return try await body(database)
            }
        }
    }

    /// Runs `body` with every repository on a fresh database of this engine.
    func withRepositories<T>(_ body: (Repositories) async throws -> T) async throws -> T {
        try await withDatabase { try await body($0.repositories()) }
    }
}

/// Fixed times, so stored and read values compare exactly (milliseconds are kept).
let t0 = Date(timeIntervalSince1970: 1_790_000_000)

/// A platform, user and environment to hang other rows on.
struct Seed {
    var platform: Platform
    var user: User
    var environment: Environment

    static func make(in repositories: Repositories) async throws -> Seed {
        let platform = Platform(
            issuer: "https://moodle.example.edu", clientID: "client-\(UUID().uuidString.prefix(6))",
            authURL: "https://moodle.example.edu/mod/lti/auth.php", tokenURL: "https://moodle.example.edu/mod/lti/token.php",
            jwksURL: "https://moodle.example.edu/mod/lti/certs.php", createdAt: t0)
        try await repositories.platforms.insert(platform)
        let user = try await repositories.users.upsert(User(platformID: platform.id, subject: "student-1", name: "Ada"))
        let environment = try await repositories.environments.save(Environment(name: "linux-101", title: "Linux 101"))
        return Seed(platform: platform, user: user, environment: environment)
    }
}
