import Foundation
import LabCore

/// Courses' rosters in MariaDB or SQLite.
struct SQLEnrolmentRepository: EnrolmentRepository {
    let database: any SQLDatabase

    func list(courseID: CourseID) async throws -> EnrolmentList {
        var list = EnrolmentList()
        if let row = try await database.query(
            "SELECT memberships_url, read_at, problem FROM course_rosters WHERE course_id = ?", .text(courseID.rawValue)
        ).first {
            list.membershipsURL = row.optionalString("memberships_url")
            list.readAt = row.optionalDate("read_at")
            list.problem = row.optionalString("problem")
        }
        list.members = try await database.query(
            "SELECT subject, name, email, roles, left_at FROM roster_members WHERE course_id = ? ORDER BY name, subject", .text(courseID.rawValue)
        ).map { row in
            Enrolment(
                subject: try row.string("subject"), name: row.optionalString("name"), email: row.optionalString("email"),
                roles: try row.string("roles").split(separator: " ").map(String.init), leftAt: row.optionalDate("left_at"))
        }
        return list
    }

    func setMembershipsURL(_ url: String, of courseID: CourseID) async throws {
        try await upsertRoster(courseID, set: "memberships_url = ?", [.text(url)], insert: ("memberships_url", .text(url)))
    }

    func replace(courseID: CourseID, with members: [Enrolment], at date: Date) async throws -> (joined: Int, left: Int) {
        let course = SQLValue.text(courseID.rawValue)
        // A class is hundreds of rows: only what changed is written, new rows many to a statement.
        let outcome = try await database.transaction { connection -> (Int, Int) in
            var before: [String: Enrolment] = [:]
            for row in try await connection.query("SELECT subject, name, email, roles, left_at FROM roster_members WHERE course_id = ?", [course]) {
                let member = Enrolment(
                    subject: try row.string("subject"), name: row.optionalString("name"), email: row.optionalString("email"),
                    roles: try row.string("roles").split(separator: " ").map(String.init), leftAt: row.optionalDate("left_at"))
                before[member.subject] = member
            }
            var joined = 0
            var added: [Enrolment] = []
            for member in members {
                guard let known = before.removeValue(forKey: member.subject) else {
                    added.append(member)
                    continue
                }
                if known.leftAt != nil { joined += 1 }
                if known.name != member.name || known.email != member.email || known.roles != member.roles || known.leftAt != nil {
                    try await connection.execute(
                        "UPDATE roster_members SET name = ?, email = ?, roles = ?, left_at = NULL WHERE course_id = ? AND subject = ?",
                        [.text(member.name), .text(member.email), .text(member.roles.joined(separator: " ")), course, .text(member.subject)])
                }
            }
            for batch in stride(from: 0, to: added.count, by: 100).map({ Array(added[$0..<min($0 + 100, added.count)]) }) {
                try await connection.execute(
                    "INSERT INTO roster_members (course_id, subject, name, email, roles) VALUES "
                        + Array(repeating: "(?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", "),
                    batch.flatMap { [course, .text($0.subject), .text($0.name), .text($0.email), .text($0.roles.joined(separator: " "))] })
            }
            joined += added.count
            let leaving = before.values.filter { $0.leftAt == nil }.map(\.subject)
            for batch in stride(from: 0, to: leaving.count, by: 100).map({ Array(leaving[$0..<min($0 + 100, leaving.count)]) }) {
                try await connection.execute(
                    "UPDATE roster_members SET left_at = ? WHERE course_id = ? AND subject IN (\(Array(repeating: "?", count: batch.count).joined(separator: ", ")))",
                    [.time(date), course] + batch.map { .text($0) })
            }
            return (joined, leaving.count)
        }
        try await upsertRoster(courseID, set: "read_at = ?, problem = NULL", [.time(date)], insert: ("read_at", .time(date)))
        return outcome
    }

    func coursesToRead(readBefore before: Date, limit: Int) async throws -> [CourseID] {
        try await database.query(
            """
            SELECT course_id FROM course_rosters WHERE memberships_url IS NOT NULL AND (read_at IS NULL OR read_at < ?)
            ORDER BY read_at LIMIT ?
            """, .time(before), .int(Int64(limit))
        ).map { try $0.id("course_id") }
    }

    func recordProblem(_ problem: String, courseID: CourseID, at date: Date) async throws {
        try await upsertRoster(courseID, set: "problem = ?, problem_at = ?", [.text(problem), .time(date)], insert: ("problem", .text(problem)))
    }

    /// Updates the course's row, or makes it with one column set.
    private func upsertRoster(_ courseID: CourseID, set: String, _ values: [SQLValue], insert: (column: String, value: SQLValue)) async throws {
        let course = SQLValue.text(courseID.rawValue)
        if try await database.execute("UPDATE course_rosters SET \(set) WHERE course_id = ?", values + [course]) > 0 { return }
        do {
            try await database.execute("INSERT INTO course_rosters (course_id, \(insert.column)) VALUES (?, ?)", [course, insert.value])
        } catch StoreError.duplicate {
            try await database.execute("UPDATE course_rosters SET \(set) WHERE course_id = ?", values + [course])
        }
    }
}
