import LabCore
import TestSupport
import Testing

@testable import Storage

@Suite("Migrations")
struct MigrationTests {
    @Test("a fresh database gets every migration once, and a second run changes nothing", arguments: RelationalEngine.underTest)
    func migratingTwiceIsHarmless(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            let migrator = Migrator(database: database)
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
            #expect(try await migrator.migrate() == [])
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
        }
    }

    @Test("a migration cut off half-way is completed by the next run", arguments: RelationalEngine.underTest)
    func interruptedMigrationResumes(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            // Pretend no migration finished recording itself: the tables exist, their rows do not.
            try await database.execute("DELETE FROM schema_migrations", [])
            #expect(try await Migrator(database: database).migrate() == Migration.all.map(\.version))
        }
    }

    @Test("concurrent migrators apply each migration exactly once", arguments: RelationalEngine.underTest)
    func concurrentMigrators(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            try await database.execute("DELETE FROM schema_migrations", [])
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await Migrator(database: database).migrate() } }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(applied == Migration.all.map(\.version))
        }
    }
}
