import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@testable import GuacBridge

/// LabGate reading the sessions Guacamole records, in Guacamole's own schema.
@Suite("Guacamole's session history")
struct GuacamoleHistoryTests {
    @Test(
        "open sessions and the last end of each connection of LabGate's group; old ended sessions and other groups left out",
        arguments: GuacamoleSchema.underTest)
    func activity(schema: GuacamoleSchema) async throws {
        try await schema.withDatabase { database in
            let records = SQLGuacamoleRecords(database: database)
            for name in ["lab-a", "lab-b", "lab-c"] {
                var connection = GuacamoleRecordsTests.connection
                connection.name = name
                _ = try await records.publish(connection, for: GuacamoleRecordsTests.account())
            }
            var elsewhere = GuacamoleRecordsTests.connection
            elsewhere.group = "someone-else"
            _ = try await records.publish(elsewhere, for: GuacamoleRecordsTests.account())

            let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))
            func ago(_ minutes: Double) -> Date { now.addingTimeInterval(-minutes * 60) }
            // lab-a: two tabs, one closed; lab-b: closed 10 and 50 minutes ago; lab-c: only a session long over.
            try await GuacamoleSchema.recordSession(connection: "lab-a", username: "labgate-u1", start: ago(30), in: database)
            try await GuacamoleSchema.recordSession(connection: "lab-a", username: "labgate-u1", start: ago(20), end: ago(5), in: database)
            try await GuacamoleSchema.recordSession(connection: "lab-b", username: "labgate-u1", start: ago(40), end: ago(10), in: database)
            try await GuacamoleSchema.recordSession(connection: "lab-b", username: "labgate-u1", start: ago(60), end: ago(50), in: database)
            try await GuacamoleSchema.recordSession(connection: "lab-c", username: "labgate-u1", start: ago(300), end: ago(200), in: database)
            try await GuacamoleSchema.recordSession(connection: "instance-1", group: "someone-else", username: "x", start: ago(1), in: database)

            let activity = try await records.activity(in: "labgate", since: ago(120))
            #expect(Set(activity.keys) == ["lab-a", "lab-b"])
            #expect(activity["lab-a"] == DesktopActivity(openSince: [ago(30)], lastEnded: ago(5)))
            #expect(activity["lab-b"] == DesktopActivity(openSince: [], lastEnded: ago(10)))

            // Read in another zone, the same rows are other instants: the zone is Guacamole's Java VM's.
            let zurich = SQLGuacamoleRecords(database: database, timeZone: TimeZone(identifier: "Europe/Zurich")!)
            let shifted = try await zurich.activity(in: "labgate", since: ago(600))
            #expect(shifted["lab-a"]?.openSince.first.map { ago(30).timeIntervalSince($0) } ?? 0 >= 3600)
        }
    }
}
