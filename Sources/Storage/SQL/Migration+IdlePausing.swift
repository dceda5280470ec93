extension Migration {
    /// Why LabGate paused a lab, and, on the embedded defaults, Guacamole's history of
    /// sessions (its columns and keys) that the idle rules read.
    static let idlePausing = Migration(version: 15, name: "idle pausing") { dialect in
        let mariaDB = dialect.name == SQLDialect.mariaDB.name
        let serial = mariaDB ? "INT NOT NULL AUTO_INCREMENT PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        return [
            dialect.addColumn(table: "lab_instances", column: "pause_reason", definition: "TEXT NULL"),
            """
            CREATE TABLE IF NOT EXISTS guacamole_connection_history (
                history_id \(serial),
                user_id INT NULL,
                username VARCHAR(128) NOT NULL,
                remote_host VARCHAR(256) NULL,
                connection_id INT NULL,
                connection_name VARCHAR(128) NOT NULL,
                sharing_profile_id INT NULL,
                sharing_profile_name VARCHAR(128) NULL,
                start_date DATETIME NOT NULL,
                end_date DATETIME NULL,
                FOREIGN KEY (user_id) REFERENCES guacamole_user (user_id) ON DELETE SET NULL,
                FOREIGN KEY (connection_id) REFERENCES guacamole_connection (connection_id) ON DELETE SET NULL
            )\(mariaDB ? " ENGINE=InnoDB DEFAULT CHARSET=utf8" : "")
            """,
            "CREATE INDEX IF NOT EXISTS guacamole_history_connection_start ON guacamole_connection_history (connection_id, start_date)",
            "CREATE INDEX IF NOT EXISTS guacamole_history_end ON guacamole_connection_history (end_date)",
        ]
    }
}
