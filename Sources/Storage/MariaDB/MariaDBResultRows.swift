import NIOCore

/// The rows of a result set as they arrive, read from the binary protocol into `SQLRow`s.
struct MariaDBResultRows {
    let columns: [MariaDBColumn]
    private let names: SQLColumns
    private(set) var rows: [SQLRow] = []

    init(columns: [MariaDBColumn]) {
        self.columns = columns
        var names: [String: Int] = [:]
        for (index, column) in columns.enumerated() { names[column.name] = index }
        self.names = SQLColumns(names)
    }

    /// Reads one binary row (`Protocol::BinaryResultsetRow`: 0x00, a NULL bitmap whose first
    /// two bits are unused, then the values that are not NULL); false if it cannot be read.
    mutating func append(binaryRow packet: ByteBuffer) -> Bool {
        var row = packet
        let bitmapLength = (columns.count + 9) / 8
        guard row.readInteger(as: UInt8.self) == 0x00, let bitmap = row.readSlice(length: bitmapLength) else { return false }
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            let bit = index + 2
            let byte = bitmap.getInteger(at: bitmap.readerIndex + bit / 8, as: UInt8.self) ?? 0
            if byte & (1 << (bit % 8)) != 0 {
                values.append(.null)
            } else {
                guard let value = column.readValue(from: &row) else { return false }
                values.append(value)
            }
        }
        rows.append(SQLRow(columns: names, values: values))
        return true
    }
}
