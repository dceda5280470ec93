extension Migration {
    /// The rows a quota's admissions lock in turn (`SQLAdmissionGates`), one per quota turn.
    static let admissionGates = Migration(version: 18, name: "admission gates") { dialect in
        [
            """
            CREATE TABLE IF NOT EXISTS admission_gates (
                name VARCHAR(191) NOT NULL PRIMARY KEY,
                admissions BIGINT NOT NULL
            )\(dialect.tableOptions)
            """
        ]
    }
}
