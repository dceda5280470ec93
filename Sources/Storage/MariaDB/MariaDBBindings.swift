import CMariaDB

/// Parameter bindings for one statement execution, with buffers that live until `deallocate`.
struct MariaDBBindings {
    var binds: [MYSQL_BIND]
    private var buffers: [UnsafeMutableRawPointer] = []
    private let lengths: UnsafeMutablePointer<UInt>

    init(values: [SQLValue]) {
        binds = Array(repeating: MYSQL_BIND(), count: values.count)
        lengths = .allocate(capacity: max(1, values.count))
        for (index, value) in values.enumerated() {
            switch value {
            case .null:
                binds[index].buffer_type = MYSQL_TYPE_NULL
            case .int(let int):
                bindScalar(int, type: MYSQL_TYPE_LONGLONG, at: index)
            case .double(let double):
                bindScalar(double, type: MYSQL_TYPE_DOUBLE, at: index)
            case .text(let text):
                bindBytes(Array(text.utf8), type: MYSQL_TYPE_STRING, at: index)
            case .blob(let bytes):
                bindBytes(bytes, type: MYSQL_TYPE_BLOB, at: index)
            }
        }
    }

    func deallocate() {
        buffers.forEach { $0.deallocate() }
        lengths.deallocate()
    }

    private mutating func bindScalar<T>(_ value: T, type: enum_field_types, at index: Int) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        buffer.storeBytes(of: value, as: T.self)
        buffers.append(buffer)
        binds[index].buffer_type = type
        binds[index].buffer = buffer
        binds[index].buffer_length = UInt(MemoryLayout<T>.size)
    }

    private mutating func bindBytes(_ bytes: [UInt8], type: enum_field_types, at index: Int) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        buffers.append(buffer)
        lengths[index] = UInt(bytes.count)
        binds[index].buffer_type = type
        binds[index].buffer = buffer
        binds[index].buffer_length = UInt(bytes.count)
        binds[index].length = lengths + index
    }
}
