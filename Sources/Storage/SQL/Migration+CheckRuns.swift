extension Migration {
    /// Each lab's last run of its environment's checks.
    static let checkRuns = Migration(version: 12, name: "check runs") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS check_runs (
                instance_id VARCHAR(64) NOT NULL PRIMARY KEY,
                user_id VARCHAR(64) NOT NULL,
                course_id VARCHAR(64) NULL,
                ran_at BIGINT NOT NULL,
                handed_in_at BIGINT NULL,
                results TEXT NOT NULL
            )\(dialect.tableOptions)
            """,
            "CREATE INDEX IF NOT EXISTS check_runs_course ON check_runs (course_id)",
        ]
    }
}
