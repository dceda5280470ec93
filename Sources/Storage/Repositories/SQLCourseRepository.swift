import Foundation
import LabCore

/// Courses and activities in MariaDB or SQLite.
struct SQLCourseRepository: CourseRepository {
    let database: any SQLDatabase

    private static let activityColumns = "id, course_id, resource_link_id, title, environment_id, line_item_url, line_items_url"

    func upsert(_ course: Course) async throws -> Course {
        // One course per (issuer, context id), whichever registration or deployment it came through.
        let key: [SQLValue] = [.text(course.platformID.rawValue), .text(course.contextID)]
        let saved: Int
        do {
            saved = try await database.execute(
                "INSERT INTO courses (id, platform_id, issuer, deployment_id, context_id, title) SELECT ?, id, issuer, ?, ?, ? FROM platforms WHERE id = ?",
                .text(course.id.rawValue), .text(course.deploymentID), .text(course.contextID), .text(course.title), .text(course.platformID.rawValue))
        } catch StoreError.duplicate {
            saved = try await database.execute(
                "UPDATE courses SET title = ? WHERE issuer = \(SQLUserRepository.issuerOf) AND context_id = ?", [.text(course.title)] + key)
        }
        guard saved > 0 else { throw StoreError.conflict("no platform \(course.platformID) for course \(course.contextID.debugDescription)") }
        guard
            let row = try await database.query(
                "SELECT id, platform_id, deployment_id, context_id, title FROM courses WHERE issuer = \(SQLUserRepository.issuerOf) AND context_id = ?", key
            ).first
        else {
            throw StoreError.failed("course \(course.contextID.debugDescription) vanished right after it was saved")
        }
        return try Self.course(row)
    }

    func find(id: CourseID) async throws -> Course? {
        try await database.query(
            "SELECT id, platform_id, deployment_id, context_id, title FROM courses WHERE id = ?", .text(id.rawValue)
        ).first.map(Self.course)
    }

    func page(after: CourseID?, limit: Int) async throws -> [Course] {
        try await database.query(
            "SELECT id, platform_id, deployment_id, context_id, title FROM courses WHERE id > ? ORDER BY id LIMIT ?",
            .text(after?.rawValue ?? ""), .int(limit)
        ).map(Self.course)
    }

    func settings(of courseID: CourseID) async throws -> CourseSettings {
        guard
            let text = try await database.query("SELECT settings FROM course_settings WHERE course_id = ?", .text(courseID.rawValue))
                .first?.string("settings")
        else { return CourseSettings() }
        do {
            return try JSONDecoder().decode(CourseSettings.self, from: Data(text.utf8))
        } catch {
            throw StoreError.failed("the stored settings of course \(courseID) cannot be read: \(error)")
        }
    }

    func saveSettings(_ settings: CourseSettings, for courseID: CourseID) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(settings), as: UTF8.self)
        do {
            try await database.execute("INSERT INTO course_settings (course_id, settings) VALUES (?, ?)", .text(courseID.rawValue), .text(text))
        } catch StoreError.duplicate {
            try await database.execute("UPDATE course_settings SET settings = ? WHERE course_id = ?", .text(text), .text(courseID.rawValue))
        } catch StoreError.conflict {
            throw StoreError.conflict("there is no course \(courseID) to keep settings for")
        }
    }

    func members(of courseID: CourseID) async throws -> [CourseMember] {
        try await database.query(
            """
            SELECT u.id, u.platform_id, u.subject, u.name, u.email, e.role FROM enrollments e JOIN users u ON u.id = e.user_id
            WHERE e.course_id = ? ORDER BY u.name, u.subject
            """, .text(courseID.rawValue)
        ).map { row in
            CourseMember(
                user: User(
                    id: try row.id("id"), platformID: try row.id("platform_id"), subject: try row.string("subject"),
                    name: row.optionalString("name"), email: row.optionalString("email")),
                role: try row.enumeration("role"))
        }
    }

    func upsertActivity(_ activity: Activity) async throws -> Activity {
        let key: [SQLValue] = [.text(activity.courseID.rawValue), .text(activity.resourceLinkID)]
        do {
            try await database.execute(
                "INSERT INTO activities (id, course_id, resource_link_id, title, environment_id) VALUES (?, ?, ?, ?, ?)",
                [.text(activity.id.rawValue)] + key + [.text(activity.title), .text(activity.environmentID?.rawValue)])
        } catch StoreError.duplicate {
            try await database.execute(
                "UPDATE activities SET title = ? WHERE course_id = ? AND resource_link_id = ?", [.text(activity.title)] + key)
        }
        guard let stored = try await self.activity(courseID: activity.courseID, resourceLinkID: activity.resourceLinkID) else {
            throw StoreError.failed("activity \(activity.resourceLinkID.debugDescription) vanished right after it was saved")
        }
        return stored
    }

    func bindResourceLink(_ resourceLinkID: String, to activityID: ActivityID, in courseID: CourseID) async throws -> Bool {
        // Matches only while the placeholder stands, so of two first launches one binds it.
        do {
            return try await database.execute(
                "UPDATE activities SET resource_link_id = ? WHERE id = ? AND course_id = ? AND resource_link_id = ?",
                .text(resourceLinkID), .text(activityID.rawValue), .text(courseID.rawValue),
                .text(Activity.awaitingLaunchLink(activityID))) == 1
        } catch StoreError.duplicate {
            // The link has an activity already (made by a launch that did not name this one).
            return false
        }
    }

    func activity(courseID: CourseID, resourceLinkID: String) async throws -> Activity? {
        try await database.query(
            "SELECT \(Self.activityColumns) FROM activities WHERE course_id = ? AND resource_link_id = ?",
            .text(courseID.rawValue), .text(resourceLinkID)
        ).first.map(Self.activity)
    }

    func activities(of courseID: CourseID) async throws -> [Activity] {
        try await database.query(
            "SELECT \(Self.activityColumns) FROM activities WHERE course_id = ? ORDER BY resource_link_id", .text(courseID.rawValue)
        ).map(Self.activity)
    }

    func bind(_ activityID: ActivityID, to environmentID: EnvironmentID?) async throws -> Bool {
        do {
            return try await database.execute(
                "UPDATE activities SET environment_id = ? WHERE id = ?", .text(environmentID?.rawValue), .text(activityID.rawValue)
            ) > 0
        } catch StoreError.conflict {
            throw StoreError.conflict("there is no environment \(environmentID?.rawValue ?? "") to bind the activity to")
        }
    }

    func setGradebook(of activityID: ActivityID, lineItemURL: String?, lineItemsURL: String?) async throws {
        try await database.execute(
            "UPDATE activities SET line_item_url = ?, line_items_url = ? WHERE id = ?", .text(lineItemURL), .text(lineItemsURL), .text(activityID.rawValue))
    }

    func activity(id: ActivityID) async throws -> Activity? {
        try await database.query("SELECT \(Self.activityColumns) FROM activities WHERE id = ?", .text(id.rawValue)).first.map(Self.activity)
    }

    func enroll(_ userID: UserID, in courseID: CourseID, as role: CourseRole) async throws {
        let binds: [SQLValue] = [.text(role.rawValue), .text(courseID.rawValue), .text(userID.rawValue)]
        do {
            try await database.execute("INSERT INTO enrollments (role, course_id, user_id) VALUES (?, ?, ?)", binds)
        } catch StoreError.duplicate {
            try await database.execute("UPDATE enrollments SET role = ? WHERE course_id = ? AND user_id = ?", binds)
        }
    }

    func role(of userID: UserID, in courseID: CourseID) async throws -> CourseRole? {
        try await database.query(
            "SELECT role FROM enrollments WHERE course_id = ? AND user_id = ?", .text(courseID.rawValue), .text(userID.rawValue)
        ).first.map { try $0.enumeration("role") }
    }

    private static func course(_ row: SQLRow) throws -> Course {
        Course(
            id: try row.id("id"), platformID: try row.id("platform_id"), deploymentID: try row.string("deployment_id"),
            contextID: try row.string("context_id"), title: try row.string("title")
        )
    }

    private static func activity(_ row: SQLRow) throws -> Activity {
        Activity(
            id: try row.id("id"), courseID: try row.id("course_id"), resourceLinkID: try row.string("resource_link_id"),
            title: try row.string("title"), environmentID: row.optionalString("environment_id").map(EnvironmentID.init),
            lineItemURL: row.optionalString("line_item_url"), lineItemsURL: row.optionalString("line_items_url")
        )
    }
}
