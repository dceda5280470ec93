extension Migration {
    /// The tool's signing keys and who holds which role in which course.
    static let launchSupport = Migration(version: 2, name: "tool keys and enrollments") { dialect in
        let options = dialect.tableOptions
        return [
            """
            CREATE TABLE IF NOT EXISTS tool_keys (
                kid VARCHAR(64) NOT NULL PRIMARY KEY,
                sealed_private_key TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                activates_at BIGINT NOT NULL,
                retires_at BIGINT NULL
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS enrollments (
                user_id VARCHAR(64) NOT NULL,
                course_id VARCHAR(64) NOT NULL,
                role VARCHAR(16) NOT NULL,
                PRIMARY KEY (course_id, user_id),
                FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
                FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE CASCADE
            )\(options)
            """,
        ]
    }
}
