extension Migration {
    /// Courses' rosters as the platforms list them (NRPS), and where they list them.
    static let rosters = Migration(version: 11, name: "rosters") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS course_rosters (
                course_id VARCHAR(64) NOT NULL PRIMARY KEY,
                memberships_url TEXT NULL,
                read_at BIGINT NULL,
                problem TEXT NULL,
                problem_at BIGINT NULL
            )\(dialect.tableOptions)
            """,
            """
            CREATE TABLE IF NOT EXISTS roster_members (
                course_id VARCHAR(64) NOT NULL,
                subject VARCHAR(255) NOT NULL,
                name TEXT NULL,
                email TEXT NULL,
                roles TEXT NOT NULL,
                left_at BIGINT NULL,
                PRIMARY KEY (course_id, subject)
            )\(dialect.tableOptions)
            """,
        ]
    }
}
