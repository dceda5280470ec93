import LabCore

/// The audit trail in MariaDB or SQLite.
struct SQLAuditLog: AuditLog {
    let database: any SQLDatabase

    func append(_ event: AuditEvent) async throws -> AuditEvent {
        // The generated sequence is read back on the same connection, so a concurrent
        // append cannot be mistaken for ours.
        let lastInsertID = database.dialect.lastInsertID
        let sequence = try await database.withConnection { connection in
            try await connection.execute(
                "INSERT INTO audit_events (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                .time(event.at), .text(event.actor), .text(event.action), .text(event.subject), .text(event.detail))
            return try await connection.query(lastInsertID, []).first?.int64("id")
        }
        var appended = event
        appended.sequence = sequence
        return appended
    }

    func recent(limit: Int, subject: String?) async throws -> [AuditEvent] {
        let rows: [SQLRow]
        if let subject {
            rows = try await database.query(
                "SELECT sequence, at, actor, action, subject, detail FROM audit_events WHERE subject = ? ORDER BY sequence DESC LIMIT ?",
                .text(subject), .int(limit))
        } else {
            rows = try await database.query(
                "SELECT sequence, at, actor, action, subject, detail FROM audit_events ORDER BY sequence DESC LIMIT ?", .int(limit))
        }
        return try rows.map { row in
            AuditEvent(
                sequence: try row.int64("sequence"), at: try row.date("at"), actor: try row.string("actor"),
                action: try row.string("action"), subject: try row.string("subject"), detail: try row.string("detail")
            )
        }
    }
}
