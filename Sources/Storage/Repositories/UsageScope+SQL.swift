import LabCore

extension UsageScope {
    /// ` AND <table>course_id = ?` or the like, with its values: the scope's lab instances,
    /// `table` being the alias of `lab_instances` with its dot (empty when unaliased).
    func condition(on table: String = "") -> (sql: String, values: [SQLValue]) {
        switch self {
        case .all: ("", [])
        case .course(let id): (" AND \(table)course_id = ?", [.text(id.rawValue)])
        case .user(let id): (" AND \(table)user_id = ?", [.text(id.rawValue)])
        }
    }
}
