extension Migration {
    /// The activities' gradebook columns (AGS) and each student's grade in them.
    static let grades = Migration(version: 10, name: "grades") { dialect in
        [
            dialect.addColumn(table: "activities", column: "line_item_url", definition: "TEXT NULL"),
            dialect.addColumn(table: "activities", column: "line_items_url", definition: "TEXT NULL"),
            """
            CREATE TABLE IF NOT EXISTS grades (
                activity_id VARCHAR(64) NOT NULL,
                user_id VARCHAR(64) NOT NULL,
                course_id VARCHAR(64) NOT NULL,
                state VARCHAR(16) NOT NULL,
                activity_progress VARCHAR(32) NOT NULL,
                grading_progress VARCHAR(32) NOT NULL,
                score_given DOUBLE NULL,
                score_maximum DOUBLE NULL,
                comment TEXT NULL,
                timestamp_ms BIGINT NOT NULL,
                detail TEXT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (activity_id, user_id)
            )\(dialect.tableOptions)
            """,
            "CREATE INDEX IF NOT EXISTS grades_course ON grades (course_id)",
        ]
    }
}
