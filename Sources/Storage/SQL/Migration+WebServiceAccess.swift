extension Migration {
    /// Each platform's Moodle web-service site and sealed token.
    static let webServiceAccess = Migration(version: 13, name: "web service access") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS web_service_access (
                platform_id VARCHAR(64) NOT NULL PRIMARY KEY,
                site_url VARCHAR(2048) NOT NULL,
                sealed_token TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE CASCADE
            )\(dialect.tableOptions)
            """
        ]
    }
}
