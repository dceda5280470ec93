import Foundation
import LabCore

/// One result row: values by column name.
public struct SQLRow: Sendable {
    private let columns: SQLColumns
    private let values: [SQLValue]

    init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The columns whose names start with `prefix`, under their names without it: one
    /// table's part of a join, for the function that reads that table's rows.
    func prefixed(_ prefix: String) -> SQLRow {
        SQLRow(columns: columns.prefixed(prefix), values: values)
    }

    /// The raw value of a column; `null` if the query did not select it.
    public subscript(_ column: String) -> SQLValue {
        columns.indexes[column].map { values[$0] } ?? .null
    }

    func string(_ column: String) throws -> String {
        guard let value = optionalString(column) else { throw missing(column) }
        return value
    }

    func optionalString(_ column: String) -> String? {
        switch self[column] {
        case .text(let text): text
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        case .int(let int): String(int)
        default: nil
        }
    }

    func int64(_ column: String) throws -> Int64 {
        guard let value = optionalInt64(column) else { throw missing(column) }
        return value
    }

    func optionalInt64(_ column: String) -> Int64? {
        switch self[column] {
        case .int(let int): int
        case .double(let double): Int64(exactly: double)
        case .text(let text): Int64(text)
        default: nil
        }
    }

    func optionalDouble(_ column: String) -> Double? {
        switch self[column] {
        case .double(let double): double
        case .int(let int): Double(int)
        case .text(let text): Double(text)
        default: nil
        }
    }

    func int(_ column: String) throws -> Int { Int(try int64(column)) }

    func optionalInt(_ column: String) -> Int? { optionalInt64(column).map { Int($0) } }

    func date(_ column: String) throws -> Date { Date(milliseconds: try int64(column)) }

    func optionalDate(_ column: String) -> Date? { optionalInt64(column).map(Date.init(milliseconds:)) }

    func id<Entity>(_ column: String) throws -> Identifier<Entity> { Identifier(try string(column)) }

    func enumeration<T: RawRepresentable>(_ column: String) throws -> T where T.RawValue == String {
        let raw = try string(column)
        guard let value = T(rawValue: raw) else {
            throw StoreError.failed("column \(column) holds \(raw.debugDescription), which is not a known \(T.self)")
        }
        return value
    }

    private func missing(_ column: String) -> StoreError {
        StoreError.failed("column \(column) is missing or null")
    }
}
