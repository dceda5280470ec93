import NIOCore

/// One packet of MariaDB's protocol: a payload and its sequence number (0 for the first
/// packet of a command, one more for each packet after it, in either direction).
struct MariaDBPacket {
    /// A payload of this length is continued by the next packet.
    static let longest = 0xFF_FFFF

    var sequence: UInt8
    var payload: ByteBuffer

    /// Frames `payload` as packets (3-byte length, sequence number), split where it is longer
    /// than one packet holds; returns the sequence number of the last packet written.
    @discardableResult
    static func write(_ payload: ByteBuffer, sequence: UInt8, to buffer: inout ByteBuffer) -> UInt8 {
        var rest = payload
        var sequence = sequence
        while true {
            let length = min(rest.readableBytes, longest)
            buffer.writeInteger(UInt8(truncatingIfNeeded: length))
            buffer.writeInteger(UInt16(truncatingIfNeeded: length >> 8), endianness: .little)
            buffer.writeInteger(sequence)
            var part = rest.readSlice(length: length)!
            buffer.writeBuffer(&part)
            // A payload that fills its last packet exactly is ended by an empty one.
            guard length == longest else { return sequence }
            sequence &+= 1
        }
    }
}

/// Cuts the bytes from the server into packets, joining a payload split over several.
struct MariaDBPacketDecoder {
    private var partial: ByteBuffer?

    /// The next whole packet at the front of `buffer`, taken from it; nil until one has come.
    mutating func next(from buffer: inout ByteBuffer) -> MariaDBPacket? {
        while true {
            guard buffer.readableBytes >= 4, let low = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                let high = buffer.getInteger(at: buffer.readerIndex + 1, endianness: .little, as: UInt16.self),
                let sequence = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt8.self)
            else { return nil }
            let length = Int(low) | Int(high) << 8
            guard buffer.readableBytes >= 4 + length else { return nil }
            buffer.moveReaderIndex(forwardBy: 4)
            var payload = buffer.readSlice(length: length)!
            if length == MariaDBPacket.longest {
                partial.setOrWriteBuffer(&payload)
                continue
            }
            if var joined = partial {
                joined.writeBuffer(&payload)
                payload = joined
                partial = nil
            }
            return MariaDBPacket(sequence: sequence, payload: payload)
        }
    }
}
