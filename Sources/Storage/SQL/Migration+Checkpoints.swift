extension Migration {
    /// The checkpoints students save in their labs.
    static let checkpoints = Migration(version: 14, name: "checkpoints") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS lab_checkpoints (
                instance_id VARCHAR(64) NOT NULL,
                name VARCHAR(40) NOT NULL,
                label VARCHAR(255) NOT NULL,
                status VARCHAR(16) NOT NULL,
                problem TEXT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (instance_id, name),
                FOREIGN KEY (instance_id) REFERENCES lab_instances (id) ON DELETE CASCADE
            )\(dialect.tableOptions)
            """,
            dialect.addColumn(table: "quotas", column: "checkpoints", definition: "INTEGER NULL"),
        ]
    }
}
