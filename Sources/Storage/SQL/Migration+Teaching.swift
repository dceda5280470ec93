extension Migration {
    /// What teachers and admins steer: the course's settings, quotas, the sizes of instances
    /// (counted against quotas), and the audit trail's course, address and outcome.
    static let teaching = Migration(version: 6, name: "teaching, quotas and audit") { dialect in
        [
            dialect.addColumn(table: "audit_events", column: "course_id", definition: "VARCHAR(64) NULL"),
            dialect.addColumn(table: "audit_events", column: "address", definition: "VARCHAR(64) NULL"),
            dialect.addColumn(table: "audit_events", column: "outcome", definition: "VARCHAR(16) NOT NULL DEFAULT 'succeeded'"),
            "CREATE INDEX IF NOT EXISTS audit_events_course ON audit_events (course_id, sequence)",
            dialect.addColumn(table: "lab_instances", column: "cores", definition: "INTEGER NOT NULL DEFAULT 0"),
            dialect.addColumn(table: "lab_instances", column: "memory_mib", definition: "INTEGER NOT NULL DEFAULT 0"),
            "CREATE INDEX IF NOT EXISTS lab_instances_course ON lab_instances (course_id, created_at)",
            """
            CREATE TABLE IF NOT EXISTS course_settings (
                course_id VARCHAR(64) NOT NULL PRIMARY KEY,
                settings TEXT NOT NULL,
                FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE CASCADE
            )\(dialect.tableOptions)
            """,
            """
            CREATE TABLE IF NOT EXISTS quotas (
                scope VARCHAR(128) NOT NULL PRIMARY KEY,
                instances INTEGER NULL,
                cores INTEGER NULL,
                memory_mib INTEGER NULL
            )\(dialect.tableOptions)
            """,
        ]
    }
}

extension Migration {
    /// Every attempt of a step is kept (issue: `instance show` showed only the latest).
    static let stepHistory = Migration(version: 7, name: "earlier attempts of lab instance steps") { dialect in
        [dialect.addColumn(table: "lab_instance_steps", column: "earlier_attempts", definition: "TEXT NULL")]
    }
}
