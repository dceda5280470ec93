import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@testable import GuacBridge

@Suite("Guacamole records")
struct GuacamoleRecordsTests {
    static let connection = GuacamoleConnection(
        name: "instance-1", group: "labgate", protocolName: "rdp",
        parameters: ["hostname": "10.20.0.5", "port": "3389", "username": "student", "password": "s3cret", "ignore-cert": "true"],
        maxConnections: 2, maxConnectionsPerUser: 1)

    static func account(_ name: String = "labgate-u1", password: String = "nobody-knows") -> GuacamoleAccount {
        let salt = SecureRandom.bytes(32)
        return GuacamoleAccount(username: name, passwordHash: GuacamolePassword.hash(password, salt: salt), passwordSalt: salt)
    }

    /// What Guacamole itself asks: the connections an entity may read.
    static func readable(by username: String, in database: any SQLDatabase) async throws -> [Int] {
        guard let entity = try await database.query("SELECT entity_id FROM guacamole_entity WHERE name = ? AND type = 'USER'", [.text(username)]).first
        else { return [] }
        return try await database.query(
            "SELECT DISTINCT connection_id FROM guacamole_connection_permission WHERE entity_id = ? AND permission = 'READ'", [entity["entity_id"]]
        ).map { row in
            guard case .int(let id) = row["connection_id"] else { throw StoreError.failed("no id") }
            return Int(id)
        }
    }

    static func count(_ table: String, in database: any SQLDatabase) async throws -> Int64 {
        guard case .int(let n) = try await database.query("SELECT COUNT(*) AS n FROM \(table)", []).first?["n"] else { return -1 }
        return n
    }

    @Test("publishing writes the connection in its group, the user and READ grants, once however often it runs", arguments: GuacamoleSchema.underTest)
    func publish(schema: GuacamoleSchema) async throws {
        try await schema.withDatabase { database in
            let records = SQLGuacamoleRecords(database: database)
            let account = Self.account(password: "pw-1")
            let id = try await records.publish(Self.connection, for: account)
            // Retried step: same id, no duplicate rows, the first password kept.
            #expect(try await records.publish(Self.connection, for: Self.account(password: "pw-2")) == id)
            #expect(try await Self.readable(by: "labgate-u1", in: database) == [id])
            let stored = try #require(try await records.connection(id: id))
            #expect(stored.connection == Self.connection)
            #expect(stored.readers == ["labgate-u1"])
            #expect(try await records.connectionID(named: "instance-1", in: "labgate") == id)
            #expect(try await Self.count("guacamole_connection_parameter", in: database) == 5)
            #expect(try await Self.count("guacamole_connection_group", in: database) == 1)
            let groupReaders = try await database.query(
                """
                SELECT e.name FROM guacamole_connection_group_permission p JOIN guacamole_entity e ON e.entity_id = p.entity_id
                JOIN guacamole_connection_group g ON g.connection_group_id = p.connection_group_id
                WHERE g.connection_group_name = 'labgate' AND p.permission = 'READ'
                """, [])
            #expect(groupReaders.count == 1)
            if schema == .mariadb {
                // Guacamole's own password check.
                let check =
                    "SELECT COUNT(*) AS n FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id WHERE e.name = ? AND UNHEX(SHA2(CONCAT(?, HEX(u.password_salt)), 256)) = u.password_hash"
                #expect(try await database.query(check, [.text("labgate-u1"), .text("pw-1")]).first?["n"] == .int(1))
                #expect(try await database.query(check, [.text("labgate-u1"), .text("pw-2")]).first?["n"] == .int(0))
                #expect(try await database.query(check, [.text("guacadmin"), .text("guacadmin")]).first?["n"] == .int(1))
            }
            // Changed parameters replace the old ones exactly.
            var moved = Self.connection
            moved.parameters = ["hostname": "10.20.0.9", "port": "3389"]
            #expect(try await records.publish(moved, for: account) == id)
            #expect(try await records.connection(id: id)?.connection.parameters == moved.parameters)
        }
    }

    @Test("revoking keeps the connection but no longer lets the student read it; publishing grants it again", arguments: GuacamoleSchema.underTest)
    func revoke(schema: GuacamoleSchema) async throws {
        try await schema.withDatabase { database in
            let records = SQLGuacamoleRecords(database: database)
            let id = try await records.publish(Self.connection, for: Self.account())
            try await records.revoke(connection: "instance-1", in: "labgate", from: "labgate-u1")
            #expect(try await Self.readable(by: "labgate-u1", in: database).isEmpty)
            #expect(try await records.connection(id: id) != nil)
            #expect(try await records.publish(Self.connection, for: Self.account()) == id)
            #expect(try await Self.readable(by: "labgate-u1", in: database) == [id])
        }
    }

    @Test("removing leaves nothing behind, and keeps the student's account while another connection needs it", arguments: GuacamoleSchema.underTest)
    func remove(schema: GuacamoleSchema) async throws {
        try await schema.withDatabase { database in
            let records = SQLGuacamoleRecords(database: database)
            let baseline = try await Self.count("guacamole_entity", in: database)
            var second = Self.connection
            second.name = "instance-2"
            let first = try await records.publish(Self.connection, for: Self.account())
            let other = try await records.publish(second, for: Self.account())
            try await records.remove(connection: "instance-1", in: "labgate", username: "labgate-u1")
            #expect(try await records.connection(id: first) == nil)
            #expect(try await Self.readable(by: "labgate-u1", in: database) == [other])
            try await records.remove(connection: "instance-2", in: "labgate", username: "labgate-u1")
            try await records.remove(connection: "instance-2", in: "labgate", username: "labgate-u1")
            for table in ["guacamole_connection", "guacamole_connection_parameter", "guacamole_connection_permission", "guacamole_connection_group_permission"]
            {
                #expect(try await Self.count(table, in: database) == 0, "\(table)")
            }
            #expect(try await Self.count("guacamole_entity", in: database) == baseline)
            #expect(try await Self.count("guacamole_user", in: database) == baseline)
        }
    }

    @Test("many instances of one student published at once share one account", arguments: GuacamoleSchema.underTest)
    func concurrentPublish(schema: GuacamoleSchema) async throws {
        try await schema.withDatabase { database in
            let records = SQLGuacamoleRecords(database: database)
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        var connection = Self.connection
                        connection.name = "instance-\(index)"
                        return try await records.publish(connection, for: Self.account())
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 6)
            #expect(try await Set(Self.readable(by: "labgate-u1", in: database)) == Set(ids))
            #expect(try await Self.count("guacamole_connection_group", in: database) == 1)
            #expect(try await database.query("SELECT COUNT(*) AS n FROM guacamole_entity WHERE name = 'labgate-u1'", []).first?["n"] == .int(1))
        }
    }
}
