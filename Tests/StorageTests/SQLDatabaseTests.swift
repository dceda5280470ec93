import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("SQL engines")
struct SQLDatabaseTests {
    @Test("values of every kind survive a round trip, long and non-ASCII ones included", arguments: RelationalEngine.underTest)
    func roundTrip(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            try await database.execute("CREATE TABLE scratch (id BIGINT NOT NULL PRIMARY KEY, t MEDIUMTEXT NULL, b LONGBLOB NULL, d DOUBLE NULL)", [])
            let long = String(repeating: "Grüße, 世界 🚀 ", count: 20_000)
            let bytes: [UInt8] = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await database.execute("INSERT INTO scratch (id, t, b, d) VALUES (?, ?, ?, ?)", [.int(Int64.max), .text(long), .blob(bytes), .double(2.5)])
            try await database.execute("INSERT INTO scratch (id, t, b, d) VALUES (?, ?, ?, ?)", [.int(-1), .null, .null, .null])
            let rows = try await database.query("SELECT id, t, b, d FROM scratch ORDER BY id", [])
            #expect(rows.count == 2)
            #expect(rows[0]["id"] == .int(-1))
            #expect(rows[0]["t"] == .null)
            #expect(rows[1]["id"] == .int(Int64.max))
            #expect(rows[1]["t"] == .text(long))
            #expect(rows[1]["b"] == .blob(bytes))
            #expect(rows[1]["d"] == .double(2.5))
        }
    }

    @Test("an update reports the rows it matched, even when nothing changed", arguments: RelationalEngine.underTest)
    func matchedRows(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            try await database.execute("CREATE TABLE scratch (id INTEGER NOT NULL PRIMARY KEY, v INTEGER NOT NULL)", [])
            try await database.execute("INSERT INTO scratch (id, v) VALUES (1, 7), (2, 7)", [])
            #expect(try await database.execute("UPDATE scratch SET v = 7", []) == 2)
            #expect(try await database.execute("UPDATE scratch SET v = 8 WHERE id = ?", [.int(3)]) == 0)
        }
    }

    @Test("a transaction that throws leaves nothing behind", arguments: RelationalEngine.underTest)
    func rollback(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            try await database.execute("CREATE TABLE scratch (id INTEGER NOT NULL PRIMARY KEY)", [])
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await database.transaction { connection in
                    try await connection.execute("INSERT INTO scratch (id) VALUES (1)", [])
                    throw Boom()
                }
            }
            try await database.transaction { try await $0.execute("INSERT INTO scratch (id) VALUES (2)", []) }
            #expect(try await database.query("SELECT id FROM scratch", []).map { $0["id"] } == [.int(2)])
        }
    }

    @Test("malformed SQL is a typed failure and the connection stays usable", arguments: RelationalEngine.underTest)
    func badSQL(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            await #expect(throws: StoreError.self) { try await database.execute("SELEKT nonsense", []) }
            await #expect(throws: StoreError.self) { try await database.query("SELECT missing_column FROM schema_migrations", []) }
            #expect(try await database.query("SELECT 1 AS one", []).first?["one"] == .int(1))
        }
    }

    @Test("many more concurrent queries than connections all complete", arguments: RelationalEngine.underTest)
    func poolUnderLoad(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask { Int(try await database.query("SELECT ? AS n", [.int(Int64(index))]).first?["n"] == .int(Int64(index)) ? 1 : 0) }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == 200)
        }
    }
}

@Suite("MariaDB connection")
struct MariaDBConnectionTests {
    @Test("a wrong password is a clear failure that does not repeat the password", .enabled(if: TestServers.shouldTest(TestServers.mariaDBPort)))
    func wrongPassword() async throws {
        let database = MariaDBDatabase(settings: try TestServers.mariaDB(password: "not-the-password-xyz"))
        defer { Task { await database.shutdown() } }
        do {
            try await database.ping()
            Issue.record("a wrong password was accepted")
        } catch let error as StoreError {
            #expect(!String(describing: error).contains("not-the-password-xyz"))
            #expect(String(describing: error).contains("Access denied"))
        }
    }

    @Test("columns of MariaDB's other types read as libmariadb read them", .enabled(if: TestServers.shouldTest(TestServers.mariaDBPort)))
    func columnTypes() async throws {
        try await RelationalEngine.mariadb.withDatabase { (database) async throws in
            try await database.execute(
                """
                CREATE TABLE scratch (t TINYINT, u SMALLINT UNSIGNED, m MEDIUMINT, f FLOAT, price DECIMAL(6,2), at DATETIME(3),
                    span TIME, day DATE, raw VARBINARY(8), name VARCHAR(20), big BIGINT UNSIGNED)
                """, [])
            try await database.execute(
                "INSERT INTO scratch VALUES (-5, 65535, -8388608, 0.5, 12.5, '2026-12-06 09:05:07.25', '-26:03:04', '2026-12-06', ?, ?, 42)",
                [.blob([0, 255]), .text("Grüße")])
            let row = try #require(try await database.query("SELECT * FROM scratch", []).first)
            #expect(row["t"] == .int(-5))
            #expect(row["u"] == .int(65535))
            #expect(row["m"] == .int(-8_388_608))
            #expect(row["f"] == .double(0.5))
            #expect(row["price"] == .text("12.50"))
            #expect(row["at"] == .text("2026-12-06 09:05:07.250"))
            #expect(row["span"] == .text("-26:03:04"))
            #expect(row["day"] == .text("2026-12-06"))
            #expect(row["raw"] == .blob([0, 255]))
            #expect(row["name"] == .text("Grüße"))
            #expect(row["big"] == .int(42))
            // A statement's own values: the server types them.
            let literal = try #require(try await database.query("SELECT ? + 1 AS n, NULL AS nothing, ? AS echoed", [.int(41), .text("x")]).first)
            #expect(literal["n"] == .int(42))
            #expect(literal["nothing"] == .null)
            #expect(literal["echoed"] == .text("x"))
        }
    }

    @Test("a statement run again after another process changed its table reads the new columns", .enabled(if: TestServers.shouldTest(TestServers.mariaDBPort)))
    func changedColumns() async throws {
        try await RelationalEngine.mariadb.withDatabase { (database) async throws in
            try await database.execute("CREATE TABLE scratch (a INT, b VARCHAR(5))", [])
            try await database.execute("INSERT INTO scratch VALUES (1, 'x')", [])
            for _ in 0..<2 {
                let row = try #require(try await database.query("SELECT * FROM scratch", []).first)
                #expect(row["a"] == .int(1) && row["b"] == .text("x"))
            }
            try await database.execute("ALTER TABLE scratch MODIFY b BLOB, ADD COLUMN c VARCHAR(5) DEFAULT 'y'", [])
            let row = try #require(try await database.query("SELECT * FROM scratch", []).first)
            #expect(row["b"] == .blob(Array("x".utf8)))
            #expect(row["c"] == .text("y"))
        }
    }

    @Test("nothing listening is 'unavailable', named for people")
    func nothingListening() async throws {
        let database = MariaDBDatabase(settings: MariaDBSettings(port: 9, user: "x", password: "y", database: "z", poolSize: 1, timeout: .seconds(1)))
        defer { Task { await database.shutdown() } }
        do {
            try await database.ping()
            Issue.record("a ping to a closed port succeeded")
        } catch let error as StoreError {
            guard case .unavailable(let component, _) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(component == "database")
        }
    }
}
