import Foundation
import LabCore
import TestSupport
import Testing

@testable import Storage

@Suite("MariaDB errors that ask for a retry")
struct RetryableErrorsTests {
    /// One statement in ten on `lab_instances` fails as a deadlock (1213) or a lock wait timeout
    /// (1205), raised by a trigger on the server, while 24 writers make and change labs at once
    /// (inserts in transactions, updates outside any). Every write lands; the errors are counted
    /// in a MyISAM table, which a rollback does not undo.
    @Test(
        "injected deadlocks and lock-wait timeouts under load are retried until every write lands",
        arguments: RelationalEngine.underTest.filter { $0 == .mariadb })
    func injectedErrorsAreRetried(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            let repositories = database.repositories()
            let seed = try await Seed.make(in: repositories)
            try await database.execute("CREATE TABLE injected_errors (code INT NOT NULL) ENGINE=MyISAM", [])
            for (event, table) in [("INSERT", "insert"), ("UPDATE", "update")] {
                try await database.execute(
                    """
                    CREATE TRIGGER inject_on_\(table) BEFORE \(event) ON lab_instances FOR EACH ROW
                    BEGIN
                        IF RAND() < 0.1 THEN
                            IF RAND() < 0.5 THEN
                                INSERT INTO injected_errors VALUES (1213);
                                SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock (injected)';
                            ELSE
                                INSERT INTO injected_errors VALUES (1205);
                                SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1205, MESSAGE_TEXT = 'Lock wait timeout exceeded (injected)';
                            END IF;
                        END IF;
                    END
                    """, [])
            }

            let finals = try await withThrowingTaskGroup(of: LabInstance.self) { group in
                for writer in 0..<24 {
                    group.addTask {
                        let user = try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "student-\(writer)", name: "S\(writer)"))
                        var (instance, _) = try await repositories.instances.findOrCreate(
                            LabInstance(userID: user.id, environmentID: seed.environment.id, createdAt: t0))
                        for step in 0..<10 {
                            instance.address = "10.0.\(writer).\(step)"
                            instance = try await repositories.instances.save(instance)
                        }
                        return instance
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(finals.count == 24)
            for instance in finals {
                let stored = try #require(try await repositories.instances.find(id: instance.id))
                #expect(stored.version == instance.version && stored.address == instance.address)
            }
            let injected = try await database.query("SELECT code, COUNT(*) AS n FROM injected_errors GROUP BY code", [])
            let counts = Dictionary(uniqueKeysWithValues: try injected.map { (try $0.int("code"), try $0.int("n")) })
            #expect((counts[1213] ?? 0) > 0 && (counts[1205] ?? 0) > 0, "the server raised both errors: \(counts)")
        }
    }

    @Test("a server that turned read-only or left its Galera cluster drops the connection, so the next goes elsewhere")
    func failoverErrorsDropTheConnection() {
        for code: UInt32 in [1290, 1792, 1047, 2013] {
            guard case .unavailable = MariaDBConnection.classify(code: code, message: "") else {
                Issue.record("error \(code) is not taken for an unavailable server")
                continue
            }
        }
        for code: UInt32 in [1213, 1205] {
            guard case .retryable = MariaDBConnection.classify(code: code, message: "") else {
                Issue.record("error \(code) is not retried")
                continue
            }
        }
    }
}
