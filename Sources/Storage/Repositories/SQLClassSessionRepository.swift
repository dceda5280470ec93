import Foundation
import LabCore

/// Class sessions in MariaDB or SQLite.
struct SQLClassSessionRepository: ClassSessionRepository {
    let database: any SQLDatabase

    private static let columns =
        "id, course_id, environment_id, starts_at, ends_at, attendance_percent, spares, spare_buffer, source, created_at, plan_labs, plan_cloning_starts, plan_power_on, plan_expected_ready"

    func add(_ session: ClassSession) async throws {
        let lockingRead = database.dialect.lockingRead
        try await database.transaction { connection in
            // The course's row, locked, lines up two teachers adding sessions at once.
            _ = try await connection.query("SELECT id FROM courses WHERE id = ?\(lockingRead)", [.text(session.courseID.rawValue)])
            let clash = try await connection.query(
                """
                SELECT \(Self.columns) FROM class_sessions
                WHERE course_id = ? AND environment_id = ? AND finished_at IS NULL AND starts_at < ? AND ends_at > ? LIMIT 1
                """,
                [.text(session.courseID.rawValue), .text(session.environmentID.rawValue), .time(session.endsAt), .time(session.startsAt)]
            ).first
            if let clash { throw ClassSessionError.overlaps(try Self.session(clash)) }
            _ = try await connection.execute(
                "INSERT INTO class_sessions (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(session.id.rawValue), .text(session.courseID.rawValue), .text(session.environmentID.rawValue), .time(session.startsAt),
                    .time(session.endsAt), .int(session.attendancePercent), .int(session.spares), .int(session.spareBuffer),
                    .text(session.source.rawValue), .time(session.createdAt), .int(session.plan?.labs), .time(session.plan?.cloningStarts),
                    .time(session.plan?.powerOn), .time(session.plan?.expectedReady),
                ])
        }
    }

    func list(courseID: CourseID, since: Date) async throws -> [ClassSession] {
        try await database.query(
            "SELECT \(Self.columns) FROM class_sessions WHERE course_id = ? AND ends_at > ? ORDER BY starts_at, id", .text(courseID.rawValue), .time(since)
        ).map(Self.session)
    }

    func unfinished() async throws -> [ClassSession] {
        try await database.query("SELECT \(Self.columns) FROM class_sessions WHERE finished_at IS NULL ORDER BY starts_at, id").map(Self.session)
    }

    func savePlan(_ plan: ClassSession.Plan, of id: ClassSessionID) async throws {
        _ = try await database.execute(
            "UPDATE class_sessions SET plan_labs = ?, plan_cloning_starts = ?, plan_power_on = ?, plan_expected_ready = ? WHERE id = ?", .int(plan.labs),
            .time(plan.cloningStarts), .time(plan.powerOn), .time(plan.expectedReady), .text(id.rawValue))
    }

    func finish(_ id: ClassSessionID, at date: Date) async throws {
        _ = try await database.execute("UPDATE class_sessions SET finished_at = ? WHERE id = ?", .time(date), .text(id.rawValue))
    }

    func find(id: ClassSessionID) async throws -> ClassSession? {
        try await database.query("SELECT \(Self.columns) FROM class_sessions WHERE id = ?", .text(id.rawValue)).first.map(Self.session)
    }

    func remove(_ id: ClassSessionID) async throws {
        _ = try await database.execute("DELETE FROM class_sessions WHERE id = ?", .text(id.rawValue))
    }

    private static func session(_ row: SQLRow) throws -> ClassSession {
        ClassSession(
            id: try row.id("id"), courseID: try row.id("course_id"), environmentID: try row.id("environment_id"), startsAt: try row.date("starts_at"),
            endsAt: try row.date("ends_at"), attendancePercent: try row.int("attendance_percent"), spares: try row.int("spares"),
            spareBuffer: try row.int("spare_buffer"), source: try row.enumeration("source"), createdAt: try row.date("created_at"),
            plan: try row.optionalInt("plan_labs").map { labs in
                ClassSession.Plan(
                    labs: labs, cloningStarts: try row.date("plan_cloning_starts"), powerOn: try row.date("plan_power_on"),
                    expectedReady: try row.date("plan_expected_ready"))
            })
    }
}
