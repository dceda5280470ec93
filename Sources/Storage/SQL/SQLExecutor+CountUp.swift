import LabCore

extension SQLExecutor {
    /// Adds one to `column` of the row `name` in `table` (keyed by `name`), making the row at 1
    /// the first time. In a transaction, the row stays locked until it ends. Two first uses at
    /// once: the later one's insert fails and asks for a retry, which finds the row.
    func countUp(_ column: String, of table: String, name: String) async throws {
        guard try await execute("UPDATE \(table) SET \(column) = \(column) + 1 WHERE name = ?", .text(name)) == 0 else { return }
        do {
            try await execute("INSERT INTO \(table) (name, \(column)) VALUES (?, 1)", .text(name))
        } catch StoreError.duplicate(let why) {
            throw StoreError.retryable(why)
        }
    }
}
