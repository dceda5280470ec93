/// The few places where MariaDB and SQLite need different SQL: only schema and session
/// statements, never the repositories' queries.
public struct SQLDialect: Sendable {
    /// The engine's name for people ("MariaDB", "SQLite").
    public var name: String
    /// A column definition for a 64-bit auto-increment primary key.
    var autoIncrementPrimaryKey: String
    /// Appended to every `CREATE TABLE`.
    var tableOptions: String
    /// Starts a transaction that takes write locks early, so two writers do not deadlock on upgrade.
    var beginTransaction: String
    /// Reads the key the connection's last insert generated, as column `id`.
    var lastInsertID: String
    /// Statements that take and release a lock serializing migrations across processes, if the engine needs one.
    var migrationLock: (take: String, release: String)?
    /// Whether `ADD COLUMN` takes `IF NOT EXISTS`; where it does not, the migrator treats
    /// "duplicate column" as done, so a migration cut off half-way can run again.
    var addColumnIfNotExists: Bool
    /// Appended to a `SELECT` inside a transaction to lock what it read (and, on MariaDB, the
    /// gap where an absent row would go); SQLite's `BEGIN IMMEDIATE` already serializes writers.
    var lockingRead: String
    /// Starts an `UPDATE` that leaves alone the rows it would make duplicates of a unique key.
    var updateSkippingDuplicates: String
    /// Joins text expressions: MariaDB has `CONCAT`, SQLite the `||` operator.
    var concat: @Sendable (_ parts: String...) -> String

    static let mariaDB = SQLDialect(
        name: "MariaDB",
        autoIncrementPrimaryKey: "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
        tableOptions: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
        beginTransaction: "START TRANSACTION",
        lastInsertID: "SELECT LAST_INSERT_ID() AS id",
        // Named after the database: GET_LOCK is server-wide, and databases sharing a server
        // (several installations, or the tests' scratch databases) must not queue behind each
        // other. Each wait stays well below the client's read timeout; the migrator asks again.
        migrationLock: (
            "SELECT GET_LOCK(CONCAT('labgate.migrate.', DATABASE()), 5) AS locked",
            "SELECT RELEASE_LOCK(CONCAT('labgate.migrate.', DATABASE())) AS released"
        ),
        addColumnIfNotExists: true,
        lockingRead: " FOR UPDATE",
        updateSkippingDuplicates: "UPDATE IGNORE",
        concat: { "CONCAT(\($0.joined(separator: ", ")))" }
    )

    static let sqlite = SQLDialect(
        name: "SQLite",
        autoIncrementPrimaryKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
        tableOptions: "",
        beginTransaction: "BEGIN IMMEDIATE",
        lastInsertID: "SELECT last_insert_rowid() AS id",
        migrationLock: nil,
        addColumnIfNotExists: false,
        lockingRead: "",
        updateSkippingDuplicates: "UPDATE OR IGNORE",
        concat: { "(\($0.joined(separator: " || ")))" }
    )

    /// Adds a column; safe to run again (see `addColumnIfNotExists`).
    func addColumn(table: String, column: String, definition: String) -> String {
        "ALTER TABLE \(table) ADD COLUMN\(addColumnIfNotExists ? " IF NOT EXISTS" : "") \(column) \(definition)"
    }
}
