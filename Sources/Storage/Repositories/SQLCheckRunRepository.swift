import Foundation
import LabCore

/// Labs' last check runs in MariaDB or SQLite; the results are kept as JSON.
struct SQLCheckRunRepository: CheckRunRepository {
    let database: any SQLDatabase

    private static let columns = "instance_id, user_id, course_id, ran_at, handed_in_at, results"

    func save(_ run: CheckRun) async throws {
        let results = String(decoding: try JSONEncoder().encode(run.results), as: UTF8.self)
        try await database.transaction { connection in
            let key = SQLValue.text(run.instanceID.rawValue)
            _ = try await connection.execute("DELETE FROM check_runs WHERE instance_id = ?", [key])
            _ = try await connection.execute(
                "INSERT INTO check_runs (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?)",
                [key, .text(run.userID.rawValue), .text(run.courseID?.rawValue), .time(run.ranAt), .time(run.handedInAt), .text(results)])
        }
    }

    func latest(instanceID: LabInstanceID) async throws -> CheckRun? {
        try await database.query("SELECT \(Self.columns) FROM check_runs WHERE instance_id = ?", .text(instanceID.rawValue)).first.map(Self.run)
    }

    func list(courseID: CourseID) async throws -> [CheckRun] {
        try await database.query("SELECT \(Self.columns) FROM check_runs WHERE course_id = ? ORDER BY ran_at", .text(courseID.rawValue)).map(Self.run)
    }

    private static func run(_ row: SQLRow) throws -> CheckRun {
        CheckRun(
            instanceID: try row.id("instance_id"), userID: try row.id("user_id"), courseID: row.optionalString("course_id").map(CourseID.init),
            ranAt: try row.date("ran_at"), results: try JSONDecoder().decode([CheckRun.Result].self, from: Data(try row.string("results").utf8)),
            handedInAt: row.optionalDate("handed_in_at"))
    }
}
