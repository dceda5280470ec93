import CMariaDB

/// Reads a stored result set into rows, sizing each column's buffer from the longest
/// value in the result (`STMT_ATTR_UPDATE_MAX_LENGTH`), so nothing is truncated.
struct MariaDBResultReader {
    private enum ColumnKind { case integer, unsignedInteger, double, text, blob }

    let statement: UnsafeMutablePointer<MYSQL_STMT>
    let metadata: UnsafeMutablePointer<MYSQL_RES>

    func readAll() throws -> [SQLRow] {
        let count = Int(mysql_num_fields(metadata))
        guard count > 0, let fields = mysql_fetch_fields(metadata) else { return [] }

        var names: [String: Int] = [:]
        var kinds: [ColumnKind] = []
        var binds = Array(repeating: MYSQL_BIND(), count: count)
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: count)
        let nulls = UnsafeMutablePointer<my_bool>.allocate(capacity: count)
        var buffers: [UnsafeMutableRawPointer] = []
        defer {
            buffers.forEach { $0.deallocate() }
            lengths.deallocate()
            nulls.deallocate()
        }

        for index in 0..<count {
            let field = fields[index]
            names[String(cString: field.name)] = index
            let kind = Self.kind(of: field)
            kinds.append(kind)
            let size: Int
            switch kind {
            case .integer, .unsignedInteger:
                size = 8
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].is_unsigned = kind == .unsignedInteger ? 1 : 0
            case .double:
                size = 8
                binds[index].buffer_type = MYSQL_TYPE_DOUBLE
            case .text, .blob:
                size = max(1, Int(field.max_length))
                binds[index].buffer_type = kind == .blob ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            buffers.append(buffer)
            binds[index].buffer = buffer
            binds[index].buffer_length = UInt(size)
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
        }

        try binds.withUnsafeMutableBufferPointer { binds in
            if mysql_stmt_bind_result(statement, binds.baseAddress) != 0 {
                throw MariaDBStatementError(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
            }
        }

        var rows: [SQLRow] = []
        while true {
            let status = mysql_stmt_fetch(statement)
            if status == MYSQL_NO_DATA { break }
            guard status == 0 || status == MYSQL_DATA_TRUNCATED else {
                throw MariaDBStatementError(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
            }
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                if nulls[index] != 0 {
                    values.append(.null)
                    continue
                }
                let buffer = buffers[index]
                switch kinds[index] {
                case .integer:
                    values.append(.int(buffer.load(as: Int64.self)))
                case .unsignedInteger:
                    values.append(.int(Int64(truncatingIfNeeded: buffer.load(as: UInt64.self))))
                case .double:
                    values.append(.double(buffer.load(as: Double.self)))
                case .text:
                    let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(lengths[index]))
                    values.append(.text(String(decoding: bytes, as: UTF8.self)))
                case .blob:
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: buffer, count: Int(lengths[index])))))
                }
            }
            rows.append(SQLRow(columns: names, values: values))
        }
        return rows
    }

    private static func kind(of field: MYSQL_FIELD) -> ColumnKind {
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_INT24, MYSQL_TYPE_YEAR:
            return field.flags & UInt32(UNSIGNED_FLAG) != 0 ? .unsignedInteger : .integer
        case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE:
            return .double
        case MYSQL_TYPE_TINY_BLOB, MYSQL_TYPE_MEDIUM_BLOB, MYSQL_TYPE_LONG_BLOB, MYSQL_TYPE_BLOB,
            MYSQL_TYPE_STRING, MYSQL_TYPE_VAR_STRING, MYSQL_TYPE_VARCHAR:
            // Character set 63 is "binary": real bytes rather than text.
            return field.charsetnr == 63 ? .blob : .text
        default:
            // DECIMAL, dates and the rest arrive as their text form.
            return .text
        }
    }
}
