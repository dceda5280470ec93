extension Migration {
    /// The class sessions LabGate prepares labs for, and which labs were prepared (or are spares).
    static let classSessions = Migration(version: 16, name: "class sessions") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS class_sessions (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                course_id VARCHAR(64) NOT NULL,
                environment_id VARCHAR(64) NOT NULL,
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                attendance_percent INTEGER NOT NULL,
                spares INTEGER NOT NULL,
                spare_buffer INTEGER NOT NULL,
                source VARCHAR(16) NOT NULL,
                created_at BIGINT NOT NULL,
                finished_at BIGINT NULL,
                plan_labs INTEGER NULL,
                plan_cloning_starts BIGINT NULL,
                plan_power_on BIGINT NULL,
                plan_expected_ready BIGINT NULL,
                FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE CASCADE,
                FOREIGN KEY (environment_id) REFERENCES environments (id) ON DELETE CASCADE
            )\(dialect.tableOptions)
            """,
            "CREATE INDEX IF NOT EXISTS class_sessions_course ON class_sessions (course_id, starts_at)",
            dialect.addColumn(table: "lab_instances", column: "prepared_for", definition: "VARCHAR(64) NULL"),
            dialect.addColumn(table: "lab_instances", column: "spare", definition: "INTEGER NOT NULL DEFAULT 0"),
            "CREATE INDEX IF NOT EXISTS lab_instances_prepared ON lab_instances (prepared_for)",
            "CREATE INDEX IF NOT EXISTS lab_instances_spares ON lab_instances (spare, environment_id, state)",
            // The plan's medians read the latest successful steps of a kind.
            "CREATE INDEX IF NOT EXISTS lab_instance_steps_recent ON lab_instance_steps (name, finished_at)",
        ]
    }
}
