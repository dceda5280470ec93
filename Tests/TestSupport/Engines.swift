import Foundation
import LabCore
import Storage

/// The relational engines every repository test runs on.
public enum RelationalEngine: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, mariadb

    public var description: String { rawValue }

    public static var underTest: [RelationalEngine] {
        TestServers.shouldTest(TestServers.mariaDBPort) ? [.sqlite, .mariadb] : [.sqlite]
    }

    /// Runs `body` on a fresh, migrated database of this engine.
    public func withDatabase<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("test.sqlite").path)
            try await Migrator(database: database).migrate()
            return try await withCleanup {
                try await body(database)
            } cleanup: {
                await database.shutdown()
            }
        case .mariadb:
            return try await TestServers.withScratchMariaDB(prepare: { try await Migrator(database: $0).migrate() }) { try await body($0) }
        }
    }

    /// Runs `body` with every repository on a fresh database of this engine.
    public func withRepositories<T>(_ body: (Repositories) async throws -> T) async throws -> T {
        try await withDatabase { try await body($0.repositories()) }
    }
}

/// The ephemeral store implementations under test.
public enum EphemeralEngine: String, CaseIterable, CustomStringConvertible, Sendable {
    case memory, redis

    public var description: String { rawValue }

    public static var underTest: [EphemeralEngine] {
        TestServers.shouldTest(TestServers.redisPort) ? [.memory, .redis] : [.memory]
    }

    public func withStore<T>(_ body: (any EphemeralStore) async throws -> T) async throws -> T {
        switch self {
        case .memory:
            return try await body(MemoryEphemeralStore())
        case .redis:
            return try await TestServers.withRedisClient { try await body(RedisEphemeralStore(client: $0)) }
        }
    }
}
