extension Migration {
    /// The admin API's bearer tokens, their secrets only as hashes.
    static let apiTokens = Migration(version: 5, name: "api tokens") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS api_tokens (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                name VARCHAR(128) NOT NULL,
                scope VARCHAR(16) NOT NULL,
                secret_hash CHAR(64) NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NULL,
                revoked_at BIGINT NULL,
                CONSTRAINT api_tokens_name UNIQUE (name)
            )\(dialect.tableOptions)
            """
        ]
    }
}
