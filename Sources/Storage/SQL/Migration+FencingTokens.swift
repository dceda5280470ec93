extension Migration {
    /// The fencing tokens of the locks kept in the ephemeral store (the reconciler's).
    static let fencingTokens = Migration(version: 17, name: "fencing tokens") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS fencing_tokens (
                name VARCHAR(64) NOT NULL PRIMARY KEY,
                token BIGINT NOT NULL
            )\(dialect.tableOptions)
            """
        ]
    }
}
