import NIOCore

/// The integer and string encodings of MariaDB's client/server protocol (little-endian and
/// "length-encoded"; NIO reads and writes NUL-terminated strings), as the protocol documentation defines them.
extension ByteBuffer {
    /// A length-encoded integer; nil if the buffer ends first or the marker is not one (0xFB, NULL in text rows; 0xFF).
    mutating func readLengthEncodedInteger() -> UInt64? {
        guard let first = readInteger(as: UInt8.self) else { return nil }
        switch first {
        case ..<0xFB: return UInt64(first)
        case 0xFC: return readInteger(endianness: .little, as: UInt16.self).map(UInt64.init)
        case 0xFD:
            guard let bytes = readBytes(length: 3) else { return nil }
            return UInt64(bytes[0]) | UInt64(bytes[1]) << 8 | UInt64(bytes[2]) << 16
        case 0xFE: return readInteger(endianness: .little, as: UInt64.self)
        default: return nil
        }
    }

    /// A string preceded by its length-encoded length, as a slice of this buffer.
    mutating func readLengthEncodedSlice() -> ByteBuffer? {
        guard let length = readLengthEncodedInteger(), length <= UInt64(readableBytes) else { return nil }
        return readSlice(length: Int(length))
    }

    mutating func writeLengthEncodedInteger(_ value: UInt64) {
        switch value {
        case ..<0xFB: writeInteger(UInt8(value))
        case ..<0x1_0000:
            writeInteger(UInt8(0xFC))
            writeInteger(UInt16(value), endianness: .little)
        case ..<0x100_0000:
            writeInteger(UInt8(0xFD))
            writeInteger(UInt8(truncatingIfNeeded: value))
            writeInteger(UInt16(truncatingIfNeeded: value >> 8), endianness: .little)
        default:
            writeInteger(UInt8(0xFE))
            writeInteger(value, endianness: .little)
        }
    }

    mutating func writeLengthEncodedBytes<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        writeLengthEncodedInteger(UInt64(bytes.count))
        writeBytes(bytes)
    }
}
