import NIOCore

/// A statement prepared on one connection: the server's id for it and how many values it takes.
struct MariaDBStatement {
    var id: UInt32
    var parameterCount: Int
    let shape = MariaDBResultShape()

    /// `COM_STMT_PREPARE` for `sql`.
    static func preparePayload(_ sql: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var payload = allocator.buffer(capacity: 1 + sql.utf8.count)
        payload.writeInteger(UInt8(0x16))
        payload.writeString(sql)
        return payload
    }

    /// `COM_STMT_EXECUTE` with `values` bound in the binary protocol, their types sent along.
    func executePayload(_ values: [SQLValue], allocator: ByteBufferAllocator) -> ByteBuffer {
        var payload = allocator.buffer(capacity: 16 + 16 * values.count)
        payload.writeInteger(UInt8(0x17))
        payload.writeInteger(id, endianness: .little)
        payload.writeInteger(UInt8(0))  // no cursor
        payload.writeInteger(UInt32(1), endianness: .little)  // iteration count
        guard !values.isEmpty else { return payload }
        var nulls = [UInt8](repeating: 0, count: (values.count + 7) / 8)
        for (index, value) in values.enumerated() where value == .null {
            nulls[index / 8] |= 1 << (index % 8)
        }
        payload.writeBytes(nulls)
        payload.writeInteger(UInt8(1))  // the types follow
        for value in values {
            let type: MariaDBColumn.FieldType =
                switch value {
                case .null: .null
                case .int: .longLong
                case .double: .double
                case .text: .varString
                case .blob: .blob
                }
            payload.writeInteger(type.rawValue)
            payload.writeInteger(UInt8(0))  // signed
        }
        for value in values {
            switch value {
            case .null: break
            case .int(let int): payload.writeInteger(int, endianness: .little)
            case .double(let double): payload.writeInteger(double.bitPattern, endianness: .little)
            case .text(let text): payload.writeLengthEncodedBytes(text.utf8)
            case .blob(let bytes): payload.writeLengthEncodedBytes(bytes)
            }
        }
        return payload
    }

    /// `COM_STMT_CLOSE`, which the server does not answer.
    func closePayload(allocator: ByteBufferAllocator) -> ByteBuffer {
        var payload = allocator.buffer(capacity: 5)
        payload.writeInteger(UInt8(0x19))
        payload.writeInteger(id, endianness: .little)
        return payload
    }
}
