extension Migration {
    /// Invitations to register a platform, their secrets only as hashes.
    static let platformInvitations = Migration(version: 8, name: "platform invitations") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS platform_invitations (
                secret_hash CHAR(64) NOT NULL PRIMARY KEY,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT NULL,
                used_by TEXT NULL
            )\(dialect.tableOptions)
            """
        ]
    }
}
