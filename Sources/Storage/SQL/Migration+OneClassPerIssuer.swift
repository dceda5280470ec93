extension Migration {
    /// Users are one per (issuer, sub) and courses one per (issuer, context id), whichever of
    /// an issuer's registrations a launch came through: `sub` is unique per issuer and a
    /// platform's context ids per site, and one Moodle registered twice (dynamically and by
    /// hand) had split each class in two. The people and courses split so far are merged into
    /// the oldest (smallest id) of each; what each had moves to it.
    ///
    /// What cannot move stays where it is: an activity or enrollment the survivor already has
    /// goes with the merged course, and a live lab of an environment the survivor has a live
    /// lab of too stays with its old user row, which keeps no issuer (so no launch finds it)
    /// and is removed with its last lab; the teacher and the admin still see and manage it.
    static let oneClassPerIssuer = Migration(version: 9, name: "one class per issuer") { dialect in
        let updateSkippingDuplicates = dialect.updateSkippingDuplicates
        return [
            dialect.addColumn(table: "users", column: "issuer", definition: "VARCHAR(255) NULL"),
            dialect.addColumn(table: "courses", column: "issuer", definition: "VARCHAR(255) NULL"),
            "CREATE TABLE IF NOT EXISTS merged_courses (loser VARCHAR(64) NOT NULL PRIMARY KEY, survivor VARCHAR(64) NOT NULL)\(dialect.tableOptions)",
            "DELETE FROM merged_courses",
            """
            INSERT INTO merged_courses (loser, survivor)
            SELECT c.id, (SELECT MIN(s.id) FROM courses s JOIN platforms sp ON sp.id = s.platform_id WHERE sp.issuer = p.issuer AND s.context_id = c.context_id)
            FROM courses c JOIN platforms p ON p.id = c.platform_id
            WHERE c.id <> (SELECT MIN(s.id) FROM courses s JOIN platforms sp ON sp.id = s.platform_id WHERE sp.issuer = p.issuer AND s.context_id = c.context_id)
            """,
            "\(updateSkippingDuplicates) activities SET course_id = (SELECT survivor FROM merged_courses WHERE loser = course_id) WHERE course_id IN (SELECT loser FROM merged_courses)",
            "\(updateSkippingDuplicates) enrollments SET course_id = (SELECT survivor FROM merged_courses WHERE loser = course_id) WHERE course_id IN (SELECT loser FROM merged_courses)",
            "\(updateSkippingDuplicates) course_settings SET course_id = (SELECT survivor FROM merged_courses WHERE loser = course_id) WHERE course_id IN (SELECT loser FROM merged_courses)",
            "UPDATE lab_instances SET course_id = (SELECT survivor FROM merged_courses WHERE loser = course_id) WHERE course_id IN (SELECT loser FROM merged_courses)",
            "UPDATE audit_events SET course_id = (SELECT survivor FROM merged_courses WHERE loser = course_id) WHERE course_id IN (SELECT loser FROM merged_courses)",
            """
            \(updateSkippingDuplicates) quotas SET scope = (SELECT \(dialect.concat("'course:'", "survivor")) FROM merged_courses WHERE \(dialect.concat("'course:'", "loser")) = scope)
            WHERE scope IN (SELECT \(dialect.concat("'course:'", "loser")) FROM merged_courses)
            """,
            "DELETE FROM quotas WHERE scope IN (SELECT \(dialect.concat("'course:'", "loser")) FROM merged_courses)",
            "DELETE FROM courses WHERE id IN (SELECT loser FROM merged_courses)",
            "UPDATE courses SET issuer = (SELECT issuer FROM platforms WHERE id = platform_id) WHERE issuer IS NULL",
            "CREATE UNIQUE INDEX IF NOT EXISTS courses_issuer_context ON courses (issuer, context_id)",
            "DROP TABLE IF EXISTS merged_courses",

            "CREATE TABLE IF NOT EXISTS merged_users (loser VARCHAR(64) NOT NULL PRIMARY KEY, survivor VARCHAR(64) NOT NULL)\(dialect.tableOptions)",
            "DELETE FROM merged_users",
            """
            INSERT INTO merged_users (loser, survivor)
            SELECT u.id, (SELECT MIN(s.id) FROM users s JOIN platforms sp ON sp.id = s.platform_id WHERE sp.issuer = p.issuer AND s.subject = u.subject)
            FROM users u JOIN platforms p ON p.id = u.platform_id
            WHERE u.id <> (SELECT MIN(s.id) FROM users s JOIN platforms sp ON sp.id = s.platform_id WHERE sp.issuer = p.issuer AND s.subject = u.subject)
            """,
            "\(updateSkippingDuplicates) enrollments SET user_id = (SELECT survivor FROM merged_users WHERE loser = user_id) WHERE user_id IN (SELECT loser FROM merged_users)",
            "DELETE FROM enrollments WHERE user_id IN (SELECT loser FROM merged_users)",
            // live_key is "user/environment" while a lab is live: a second live lab of one
            // environment would collide with the survivor's, and stays with its old row.
            // live_key is set first: MariaDB's later assignments see the earlier ones' values.
            """
            \(updateSkippingDuplicates) lab_instances SET
                live_key = CASE WHEN live_key IS NULL THEN NULL ELSE \(dialect.concat("(SELECT survivor FROM merged_users WHERE loser = user_id)", "'/'", "environment_id")) END,
                user_id = (SELECT survivor FROM merged_users WHERE loser = user_id)
            WHERE user_id IN (SELECT loser FROM merged_users)
            """,
            "DELETE FROM users WHERE id IN (SELECT loser FROM merged_users) AND NOT EXISTS (SELECT 1 FROM lab_instances li WHERE li.user_id = users.id)",
            "UPDATE users SET issuer = (SELECT issuer FROM platforms WHERE id = platform_id) WHERE issuer IS NULL AND id NOT IN (SELECT loser FROM merged_users)",
            "CREATE UNIQUE INDEX IF NOT EXISTS users_issuer_subject ON users (issuer, subject)",
            "DROP TABLE IF EXISTS merged_users",
        ]
    }
}
