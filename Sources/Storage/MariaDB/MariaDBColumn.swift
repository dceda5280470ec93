import NIOCore

/// A result column as a column-definition packet describes it: its name, and how its values
/// are sent in binary rows and become `SQLValue`s.
struct MariaDBColumn {
    /// Column types of the protocol (`enum_field_types`).
    enum FieldType: UInt8 {
        case decimal = 0
        case tiny = 1
        case short = 2
        case long = 3
        case float = 4
        case double = 5
        case null = 6
        case timestamp = 7
        case longLong = 8
        case int24 = 9
        case date = 10
        case time = 11
        case dateTime = 12
        case year = 13
        case newDate = 14
        case varChar = 15
        case bit = 16
        case json = 245
        case newDecimal = 246
        case enumeration = 247
        case set = 248
        case tinyBlob = 249
        case mediumBlob = 250
        case longBlob = 251
        case blob = 252
        case varString = 253
        case string = 254
        case geometry = 255
    }

    private static let unsignedFlag: UInt16 = 32
    /// Character set 63 is "binary": bytes rather than text.
    private static let binaryCharacterSet: UInt16 = 63

    var name: String
    var type: FieldType
    var isUnsigned: Bool
    var isBinary: Bool
    /// Digits after the second for times (0–6), as the column declares them.
    var fractionDigits: Int

    /// Reads a column-definition packet (`Protocol::ColumnDefinition41`).
    init?(packet: ByteBuffer) {
        var packet = packet
        // catalog, schema, table, original table; then the name this result gives it.
        for _ in 0..<4 { guard packet.readLengthEncodedSlice() != nil else { return nil } }
        guard var name = packet.readLengthEncodedSlice(), packet.readLengthEncodedSlice() != nil,
            packet.readLengthEncodedInteger() != nil,
            let characterSet = packet.readInteger(endianness: .little, as: UInt16.self),
            packet.readInteger(endianness: .little, as: UInt32.self) != nil,
            let rawType = packet.readInteger(as: UInt8.self), let type = FieldType(rawValue: rawType),
            let flags = packet.readInteger(endianness: .little, as: UInt16.self),
            let decimals = packet.readInteger(as: UInt8.self)
        else { return nil }
        self.name = name.readString(length: name.readableBytes) ?? ""
        self.type = type
        isUnsigned = flags & Self.unsignedFlag != 0
        isBinary = characterSet == Self.binaryCharacterSet
        fractionDigits = decimals <= 6 ? Int(decimals) : 0
    }

    /// Reads this column's value from a binary row (`Protocol::BinaryResultsetRow`); nil if the row ends too soon.
    func readValue(from row: inout ByteBuffer) -> SQLValue? {
        switch type {
        case .null: return .null
        case .tiny:
            return row.readInteger(as: UInt8.self).map { .int(isUnsigned ? Int64($0) : Int64(Int8(bitPattern: $0))) }
        case .short, .year:
            return row.readInteger(endianness: .little, as: UInt16.self).map { .int(isUnsigned ? Int64($0) : Int64(Int16(bitPattern: $0))) }
        case .long, .int24:
            return row.readInteger(endianness: .little, as: UInt32.self).map { .int(isUnsigned ? Int64($0) : Int64(Int32(bitPattern: $0))) }
        case .longLong:
            return row.readInteger(endianness: .little, as: UInt64.self).map { .int(Int64(bitPattern: $0)) }
        case .float:
            return row.readInteger(endianness: .little, as: UInt32.self).map { .double(Double(Float(bitPattern: $0))) }
        case .double:
            return row.readInteger(endianness: .little, as: UInt64.self).map { .double(Double(bitPattern: $0)) }
        case .date, .newDate, .dateTime, .timestamp:
            return readDateTime(from: &row).map { .text($0) }
        case .time:
            return readTime(from: &row).map { .text($0) }
        case .tinyBlob, .mediumBlob, .longBlob, .blob, .varString, .string, .varChar:
            guard var bytes = row.readLengthEncodedSlice() else { return nil }
            if isBinary { return .blob(bytes.readBytes(length: bytes.readableBytes) ?? []) }
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        case .decimal, .newDecimal, .json, .enumeration, .set, .bit, .geometry:
            // Their text form, as a text query would give them.
            guard var bytes = row.readLengthEncodedSlice() else { return nil }
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
    }

    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS[.ffffff]`, from the binary form (a length of 0, 4, 7 or 11 bytes).
    private func readDateTime(from row: inout ByteBuffer) -> String? {
        guard let length = row.readInteger(as: UInt8.self), var bytes = row.readSlice(length: Int(length)) else { return nil }
        let year = bytes.readInteger(endianness: .little, as: UInt16.self) ?? 0
        let month = bytes.readInteger(as: UInt8.self) ?? 0
        let day = bytes.readInteger(as: UInt8.self) ?? 0
        var text = "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
        guard length >= 7 else { return text }
        let (hour, minute, second) = (bytes.readInteger(as: UInt8.self) ?? 0, bytes.readInteger(as: UInt8.self) ?? 0, bytes.readInteger(as: UInt8.self) ?? 0)
        text += " \(padded(hour, 2)):\(padded(minute, 2)):\(padded(second, 2))"
        return text + fraction(bytes.readInteger(endianness: .little, as: UInt32.self) ?? 0)
    }

    /// `[-]HH:MM:SS[.ffffff]`, from the binary form (a length of 0, 8 or 12 bytes).
    private func readTime(from row: inout ByteBuffer) -> String? {
        guard let length = row.readInteger(as: UInt8.self), var bytes = row.readSlice(length: Int(length)) else { return nil }
        let negative = (bytes.readInteger(as: UInt8.self) ?? 0) != 0
        let days = bytes.readInteger(endianness: .little, as: UInt32.self) ?? 0
        let (hour, minute, second) = (bytes.readInteger(as: UInt8.self) ?? 0, bytes.readInteger(as: UInt8.self) ?? 0, bytes.readInteger(as: UInt8.self) ?? 0)
        let text = "\(negative ? "-" : "")\(padded(UInt32(days) * 24 + UInt32(hour), 2)):\(padded(minute, 2)):\(padded(second, 2))"
        return text + fraction(bytes.readInteger(endianness: .little, as: UInt32.self) ?? 0)
    }

    /// `.fff…` with the column's digits, as libmariadb writes them; nothing for a column without any.
    private func fraction(_ microseconds: UInt32) -> String {
        guard fractionDigits > 0 else { return "" }
        var divisor: UInt32 = 1
        for _ in fractionDigits..<6 { divisor *= 10 }
        return "." + padded(microseconds / divisor, fractionDigits)
    }

    private func padded<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
