extension Migration {
    /// What provisioning keeps: an instance's course, lifetime, generated guest password and
    /// further VMs, and the
    /// numbers (VMIDs, VLAN tags) reserved in the cluster.
    static let provisioning = Migration(version: 3, name: "provisioning") { dialect in
        [
            dialect.addColumn(table: "lab_instances", column: "expires_at", definition: "BIGINT NULL"),
            dialect.addColumn(table: "lab_instances", column: "guest_password", definition: "TEXT NULL"),
            dialect.addColumn(table: "lab_instances", column: "companion_vmids", definition: "TEXT NULL"),
            dialect.addColumn(table: "lab_instances", column: "course_id", definition: "VARCHAR(64) NULL"),
            "CREATE INDEX IF NOT EXISTS lab_instances_vmid ON lab_instances (vmid)",
            """
            CREATE TABLE IF NOT EXISTS resource_reservations (
                kind VARCHAR(16) NOT NULL,
                value BIGINT NOT NULL,
                holder VARCHAR(80) NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (kind, value)
            )\(dialect.tableOptions)
            """,
            "CREATE INDEX IF NOT EXISTS resource_reservations_holder ON resource_reservations (holder)",
        ]
    }
}
