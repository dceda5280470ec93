import LabCore

/// The audit trail in MariaDB or SQLite.
struct SQLAuditLog: AuditLog {
    let database: any SQLDatabase

    private static let columns = "sequence, at, actor, action, subject, detail, course_id, address, outcome"

    func append(_ event: AuditEvent) async throws -> AuditEvent {
        // The generated sequence is read back on the same connection, so a concurrent
        // append cannot be mistaken for ours.
        let lastInsertID = database.dialect.lastInsertID
        let sequence = try await database.withConnection { connection in
            try await connection.execute(
                "INSERT INTO audit_events (at, actor, action, subject, detail, course_id, address, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .time(event.at), .text(event.actor), .text(event.action), .text(event.subject), .text(event.detail),
                    .text(event.courseID?.rawValue), .text(event.address), .text(event.outcome.rawValue),
                ])
            return try await connection.query(lastInsertID, []).first?.int64("id")
        }
        var appended = event
        appended.sequence = sequence
        return appended
    }

    func list(_ filter: AuditFilter, before: Int64?, limit: Int) async throws -> [AuditEvent] {
        var conditions = ["sequence < ?"]
        var values: [SQLValue] = [.int(before ?? .max)]
        for (column, value) in [("subject", filter.subject), ("actor", filter.actor), ("course_id", filter.courseID?.rawValue)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            values.append(.text(value))
        }
        return try await database.query(
            "SELECT \(Self.columns) FROM audit_events WHERE \(conditions.joined(separator: " AND ")) ORDER BY sequence DESC LIMIT ?",
            values + [.int(limit)]
        ).map { row in
            AuditEvent(
                sequence: try row.int64("sequence"), at: try row.date("at"), actor: try row.string("actor"),
                action: try row.string("action"), subject: try row.string("subject"), detail: try row.string("detail"),
                courseID: row.optionalString("course_id").map(CourseID.init), address: row.optionalString("address"),
                outcome: try row.enumeration("outcome"))
        }
    }
}
