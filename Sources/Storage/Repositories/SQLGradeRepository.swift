import Foundation
import LabCore

/// Students' grades in MariaDB or SQLite.
struct SQLGradeRepository: GradeRepository {
    let database: any SQLDatabase

    private static let columns =
        "activity_id, user_id, state, activity_progress, grading_progress, score_given, score_maximum, comment, timestamp_ms, detail, updated_at"

    func find(activityID: ActivityID, userID: UserID) async throws -> Grade? {
        try await database.query(
            "SELECT \(Self.columns) FROM grades WHERE activity_id = ? AND user_id = ?", .text(activityID.rawValue), .text(userID.rawValue)
        ).first.map(Self.grade)
    }

    func record(_ grade: Grade) async throws -> Grade {
        let dialect = database.dialect
        return try await database.transaction { connection in
            let key: [SQLValue] = [.text(grade.activityID.rawValue), .text(grade.userID.rawValue)]
            let previous = try await connection.query(
                "SELECT timestamp_ms FROM grades WHERE activity_id = ? AND user_id = ?\(dialect.lockingRead)", key
            ).first.map { try $0.date("timestamp_ms") }
            var saved = grade
            // Whole seconds are what the platform compares: the next score is at least one later.
            if let previous, saved.timestamp < previous + 1 { saved.timestamp = previous + 1 }
            saved.timestamp = Date(milliseconds: saved.timestamp.millisecondsSince1970)
            let values: [SQLValue] = [
                .text(saved.state.rawValue), .text(saved.activityProgress), .text(saved.gradingProgress), .double(saved.scoreGiven),
                .double(saved.scoreMaximum), .text(saved.comment), .time(saved.timestamp), .text(saved.detail), .time(saved.updatedAt),
            ]
            if previous == nil {
                try await connection.execute(
                    "INSERT INTO grades (\(Self.columns), course_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT course_id FROM activities WHERE id = ?))",
                    key + values + [key[0]])
            } else {
                try await connection.execute(
                    """
                    UPDATE grades SET state = ?, activity_progress = ?, grading_progress = ?, score_given = ?, score_maximum = ?, comment = ?,
                        timestamp_ms = ?, detail = ?, updated_at = ? WHERE activity_id = ? AND user_id = ?
                    """, values + key)
            }
            return saved
        }
    }

    func settle(activityID: ActivityID, userID: UserID, timestamp: Date, state: Grade.State, detail: String?, at date: Date) async throws -> Bool {
        try await database.execute(
            "UPDATE grades SET state = ?, detail = ?, updated_at = ? WHERE activity_id = ? AND user_id = ? AND timestamp_ms = ?",
            .text(state.rawValue), .text(detail), .time(date), .text(activityID.rawValue), .text(userID.rawValue), .time(timestamp)) == 1
    }

    func list(courseID: CourseID) async throws -> [Grade] {
        try await database.query("SELECT \(Self.columns) FROM grades WHERE course_id = ? ORDER BY activity_id, user_id", .text(courseID.rawValue))
            .map(Self.grade)
    }

    private static func grade(_ row: SQLRow) throws -> Grade {
        Grade(
            activityID: try row.id("activity_id"), userID: try row.id("user_id"), state: try row.enumeration("state"),
            activityProgress: try row.string("activity_progress"), gradingProgress: try row.string("grading_progress"),
            scoreGiven: row.optionalDouble("score_given"), scoreMaximum: row.optionalDouble("score_maximum"), comment: row.optionalString("comment"),
            timestamp: try row.date("timestamp_ms"), detail: row.optionalString("detail"), updatedAt: try row.date("updated_at"))
    }
}
