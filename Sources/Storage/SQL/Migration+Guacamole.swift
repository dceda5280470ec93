extension Migration {
    /// The tables of Guacamole 1.6's schema (guacamole-auth-jdbc) that GuacBridge writes,
    /// with Guacamole's columns and keys, for installations whose records live in LabGate's
    /// own database (the embedded defaults). With `guacamole.database` set, the records go to
    /// Guacamole's database instead, whose schema Guacamole's own scripts create.
    static let guacamole = Migration(version: 4, name: "guacamole") { dialect in
        let mariaDB = dialect.name == SQLDialect.mariaDB.name
        let serial = mariaDB ? "INT NOT NULL AUTO_INCREMENT PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        let options = mariaDB ? " ENGINE=InnoDB DEFAULT CHARSET=utf8" : ""
        func oneOf(_ column: String, _ values: [String], default value: String? = nil) -> String {
            let list = values.map { "'\($0)'" }.joined(separator: ", ")
            let fallback = value.map { " DEFAULT '\($0)'" } ?? ""
            return mariaDB ? "\(column) ENUM(\(list)) NOT NULL\(fallback)" : "\(column) TEXT NOT NULL\(fallback) CHECK (\(column) IN (\(list)))"
        }
        let permissions = ["READ", "UPDATE", "DELETE", "ADMINISTER"]
        return [
            """
            CREATE TABLE IF NOT EXISTS guacamole_connection_group (
                connection_group_id \(serial),
                parent_id INT NULL,
                connection_group_name VARCHAR(128) NOT NULL,
                \(oneOf("type", ["ORGANIZATIONAL", "BALANCING"], default: "ORGANIZATIONAL")),
                max_connections INT NULL,
                max_connections_per_user INT NULL,
                enable_session_affinity BOOLEAN NOT NULL DEFAULT 0,
                UNIQUE (connection_group_name, parent_id),
                FOREIGN KEY (parent_id) REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS guacamole_connection (
                connection_id \(serial),
                connection_name VARCHAR(128) NOT NULL,
                parent_id INT NULL,
                protocol VARCHAR(32) NOT NULL,
                proxy_port INT NULL,
                proxy_hostname VARCHAR(512) NULL,
                proxy_encryption_method VARCHAR(8) NULL,
                max_connections INT NULL,
                max_connections_per_user INT NULL,
                connection_weight INT NULL,
                failover_only BOOLEAN NOT NULL DEFAULT 0,
                UNIQUE (connection_name, parent_id),
                FOREIGN KEY (parent_id) REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS guacamole_connection_parameter (
                connection_id INT NOT NULL,
                parameter_name VARCHAR(128) NOT NULL,
                parameter_value VARCHAR(4096) NOT NULL,
                PRIMARY KEY (connection_id, parameter_name),
                FOREIGN KEY (connection_id) REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS guacamole_entity (
                entity_id \(serial),
                name VARCHAR(128) NOT NULL,
                \(oneOf("type", ["USER", "USER_GROUP"])),
                UNIQUE (type, name)
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS guacamole_user (
                user_id \(serial),
                entity_id INT NOT NULL UNIQUE,
                password_hash BINARY(32) NOT NULL,
                password_salt BINARY(32) NULL,
                password_date DATETIME NOT NULL,
                disabled BOOLEAN NOT NULL DEFAULT 0,
                expired BOOLEAN NOT NULL DEFAULT 0,
                access_window_start TIME NULL,
                access_window_end TIME NULL,
                valid_from DATE NULL,
                valid_until DATE NULL,
                timezone VARCHAR(64) NULL,
                full_name VARCHAR(256) NULL,
                email_address VARCHAR(256) NULL,
                organization VARCHAR(256) NULL,
                organizational_role VARCHAR(256) NULL,
                FOREIGN KEY (entity_id) REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS guacamole_connection_permission (
                entity_id INT NOT NULL,
                connection_id INT NOT NULL,
                \(oneOf("permission", permissions)),
                PRIMARY KEY (entity_id, connection_id, permission),
                FOREIGN KEY (connection_id) REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
                FOREIGN KEY (entity_id) REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS guacamole_connection_group_permission (
                entity_id INT NOT NULL,
                connection_group_id INT NOT NULL,
                \(oneOf("permission", permissions)),
                PRIMARY KEY (entity_id, connection_group_id, permission),
                FOREIGN KEY (connection_group_id) REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE,
                FOREIGN KEY (entity_id) REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
            )\(options)
            """,
        ]
    }
}
