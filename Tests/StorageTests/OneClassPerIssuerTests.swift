import Foundation
import LabCore
import TestSupport
import Testing

@testable import Storage

/// One Moodle registered twice (dynamically and by hand) is one class: people are one per
/// (issuer, sub) and courses one per (issuer, context id), whichever registration they came through.
@Suite("One class per issuer")
struct OneClassPerIssuerTests {
    private static func registration(_ client: String, issuer: String = "https://moodle.example.edu") -> Platform {
        Platform(
            issuer: issuer, clientID: client, authURL: issuer + "/mod/lti/auth.php", tokenURL: issuer + "/mod/lti/token.php",
            jwksURL: issuer + "/mod/lti/certs.php", createdAt: t0)
    }

    @Test(
        "launches through two registrations of one issuer find one user and one course; removing one registration keeps them",
        arguments: RelationalEngine.underTest)
    func twoRegistrations(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let dynamic = Self.registration("dynamic-1")
            let byHand = Self.registration("manual-2")
            let other = Self.registration("x", issuer: "https://other.example.edu")
            for platform in [dynamic, byHand, other] { try await repositories.platforms.insert(platform) }

            let ada = try await repositories.users.upsert(User(platformID: dynamic.id, subject: "42", name: "Ada"))
            let again = try await repositories.users.upsert(User(platformID: byHand.id, subject: "42", email: "ada@example.edu"))
            #expect(again.id == ada.id)
            #expect(again.name == "Ada" && again.email == "ada@example.edu")
            let elsewhere = try await repositories.users.upsert(User(platformID: other.id, subject: "42"))
            #expect(elsewhere.id != ada.id, "sub is unique per issuer only")

            let course = try await repositories.courses.upsert(Course(platformID: dynamic.id, deploymentID: "1", contextID: "7", title: "Networks"))
            let sameCourse = try await repositories.courses.upsert(Course(platformID: byHand.id, deploymentID: "2", contextID: "7", title: "Networks II"))
            #expect(sameCourse.id == course.id)
            #expect(sameCourse.title == "Networks II")

            // The registration they were first seen through goes; they stay, with the other one.
            #expect(try await repositories.platforms.remove(id: dynamic.id))
            #expect(try await repositories.users.find(id: ada.id)?.platformID == byHand.id)
            #expect(try await repositories.courses.find(id: course.id)?.platformID == byHand.id)
            #expect(try await repositories.users.upsert(User(platformID: byHand.id, subject: "42")).id == ada.id)
            // With the issuer's last registration they go too.
            #expect(try await repositories.platforms.remove(id: byHand.id))
            #expect(try await repositories.users.find(id: ada.id) == nil)
            #expect(try await repositories.courses.find(id: course.id) == nil)
            #expect(try await repositories.users.find(id: elsewhere.id) != nil)
        }
    }

    @Test(
        "the migration merges a class split by two registrations, moving labs, enrollments, activities, settings and quotas",
        arguments: RelationalEngine.underTest)
    func migrationMergesSplitClasses(engine: RelationalEngine) async throws {
        try await engine.withDatabase { (database) async throws in
            let repositories = database.repositories()
            let dynamic = Self.registration("dynamic-1")
            let byHand = Self.registration("manual-2")
            let other = Self.registration("x", issuer: "https://other.example.edu")
            for platform in [dynamic, byHand, other] { try await repositories.platforms.insert(platform) }
            let linux = try await repositories.environments.save(Environment(name: "linux", title: "Linux"))
            let windows = try await repositories.environments.save(Environment(name: "windows", title: "Windows"))

            // The database as the split left it: back to before migration 9, rows written as the old code did.
            try await Self.undoMigration9(database)
            func insert(_ sql: String, _ values: SQLValue...) async throws { _ = try await database.execute(sql, values) }
            for (id, platform, subject) in [("u-1", dynamic, "s1"), ("u-2", byHand, "s1"), ("u-3", other, "s1"), ("u-4", byHand, "s2")] {
                try await insert("INSERT INTO users (id, platform_id, subject) VALUES (?, ?, ?)", .text(id), .text(platform.id.rawValue), .text(subject))
            }
            for (id, platform, deployment) in [("c-1", dynamic, "1"), ("c-2", byHand, "2"), ("c-3", other, "1")] {
                try await insert(
                    "INSERT INTO courses (id, platform_id, deployment_id, context_id, title) VALUES (?, ?, ?, '10', 'Networks')",
                    .text(id), .text(platform.id.rawValue), .text(deployment))
            }
            for (user, course) in [("u-1", "c-1"), ("u-2", "c-2"), ("u-4", "c-2")] {
                try await insert("INSERT INTO enrollments (user_id, course_id, role) VALUES (?, ?, 'learner')", .text(user), .text(course))
            }
            for (id, course, link) in [("a-1", "c-1", "100"), ("a-2", "c-2", "200")] {
                try await insert(
                    "INSERT INTO activities (id, course_id, resource_link_id, title) VALUES (?, ?, ?, 'Lab')", .text(id), .text(course), .text(link))
            }
            // l-2 is u-2's live Linux lab while u-1 has one too: it cannot join u-1's and stays with u-2.
            for (id, user, environment, state, course) in [
                ("l-1", "u-1", linux.id, "ready", "c-1"), ("l-2", "u-2", linux.id, "ready", "c-2"),
                ("l-3", "u-2", windows.id, "stopped", "c-2"), ("l-4", "u-2", linux.id, "deleted", "c-2"),
            ] {
                let liveKey: SQLValue = state == "deleted" ? .null : .text("\(user)/\(environment.rawValue)")
                try await insert(
                    """
                    INSERT INTO lab_instances (id, user_id, environment_id, course_id, live_key, state, version, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, 1, 0, 0)
                    """, .text(id), .text(user), .text(environment.rawValue), .text(course), liveKey, .text(state))
            }
            try await insert("INSERT INTO course_settings (course_id, settings) VALUES ('c-2', '{}')")
            try await insert("INSERT INTO quotas (scope, instances) VALUES ('course:c-2', 5)")

            #expect(try await Migrator(database: database).migrate() == [9])

            func column(_ sql: String) async throws -> [String] {
                try await database.query(sql, []).map { try $0.string("v") }
            }
            #expect(try await column("SELECT id AS v FROM courses ORDER BY id") == ["c-1", "c-3"])
            #expect(try await column("SELECT course_id AS v FROM activities ORDER BY id") == ["c-1", "c-1"])
            #expect(try await column("SELECT user_id AS v FROM enrollments ORDER BY user_id") == ["u-1", "u-4"])
            #expect(try await column("SELECT course_id AS v FROM course_settings") == ["c-1"])
            #expect(try await column("SELECT scope AS v FROM quotas") == ["course:c-1"])
            #expect(try await column("SELECT user_id AS v FROM lab_instances ORDER BY id") == ["u-1", "u-2", "u-1", "u-1"])
            #expect(try await column("SELECT course_id AS v FROM lab_instances ORDER BY id") == ["c-1", "c-1", "c-1", "c-1"])
            #expect(try await column("SELECT live_key AS v FROM lab_instances WHERE id = 'l-3'") == ["u-1/\(windows.id.rawValue)"])
            #expect(try await column("SELECT id AS v FROM users ORDER BY id") == ["u-1", "u-2", "u-3", "u-4"])
            #expect(try await column("SELECT id AS v FROM users WHERE issuer IS NULL") == ["u-2"], "the row kept for its lab is found by no launch")

            // From now on both registrations lead to the merged rows.
            #expect(try await repositories.users.upsert(User(platformID: byHand.id, subject: "s1")).id == UserID("u-1"))
            #expect(
                try await repositories.courses.upsert(Course(platformID: byHand.id, deploymentID: "2", contextID: "10", title: "Networks")).id
                    == CourseID("c-1"))
            // The kept lab keeps working: it can be saved (its live key is still its own).
            var kept = try #require(try await repositories.instances.find(id: LabInstanceID("l-2")))
            try kept.transition(to: .deleting, at: t0)
            _ = try await repositories.instances.save(kept)
        }
    }

    /// Takes a migrated database back to just before migration 9: its indexes gone, no issuer
    /// on any row, and its history row removed, so the migrator runs it again.
    private static func undoMigration9(_ database: any SQLDatabase) async throws {
        let mariaDB = database.dialect.name == "MariaDB"
        for (index, table) in [("users_issuer_subject", "users"), ("courses_issuer_context", "courses")] {
            _ = try await database.execute(mariaDB ? "DROP INDEX \(index) ON \(table)" : "DROP INDEX \(index)", [])
        }
        _ = try await database.execute("UPDATE users SET issuer = NULL", [])
        _ = try await database.execute("UPDATE courses SET issuer = NULL", [])
        _ = try await database.execute("DELETE FROM schema_migrations WHERE version = 9", [])
    }
}
