import Synchronization

/// A result's column names and their places in its rows, shared by all its rows and, for
/// MariaDB, by every result of a statement while its columns stay the same; so one table's
/// part of a join is worked out once, not for every row read.
final class SQLColumns: Sendable {
    let indexes: [String: Int]
    private let parts = Mutex<[String: SQLColumns]>([:])

    init(_ indexes: [String: Int]) {
        self.indexes = indexes
    }

    /// The columns whose names start with `prefix`, under their names without it.
    func prefixed(_ prefix: String) -> SQLColumns {
        if let known = parts.withLock({ $0[prefix] }) { return known }
        var renamed: [String: Int] = [:]
        for (name, index) in indexes where name.hasPrefix(prefix) {
            renamed[String(name.dropFirst(prefix.count))] = index
        }
        let part = SQLColumns(renamed)
        parts.withLock { $0[prefix] = part }
        return part
    }
}
