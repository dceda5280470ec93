import LabCore
import NIOCore

/// Redis's wire protocol (RESP2): commands as arrays of bulk strings, replies as the five
/// kinds of value, read as they arrive, however the network splits them.
enum RESPCoding {
    /// The longest bulk string or array accepted from the server (Redis's own limit for a value).
    static let maxLength = 512 * 1024 * 1024

    /// Appends `command` as the array of bulk strings Redis reads.
    static func write(_ command: [String], to buffer: inout ByteBuffer) {
        buffer.writeString("*\(command.count)\r\n")
        for argument in command {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
    }

    /// Reads one whole value from the front of `buffer`; nil (and `buffer` untouched) while it is incomplete.
    static func read(from buffer: inout ByteBuffer) throws(StoreError) -> RESPValue? {
        var copy = buffer
        guard let value = try readValue(&copy) else { return nil }
        buffer = copy
        return value
    }

    private static func readValue(_ buffer: inout ByteBuffer) throws(StoreError) -> RESPValue? {
        guard let kind = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch kind {
        case UInt8(ascii: "+"): return .status(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let number = Int64(line) else { throw malformed("an integer reply of \(line.prefix(20))") }
            return .integer(number)
        case UInt8(ascii: "$"):
            let length = try self.length(line)
            guard length >= 0 else { return .null }
            guard buffer.readableBytes >= length + 2, let text = buffer.readString(length: length) else { return nil }
            guard buffer.readBytes(length: 2) == [13, 10] else { throw malformed("a bulk string without its line end") }
            return .string(text)
        case UInt8(ascii: "*"):
            let count = try self.length(line)
            guard count >= 0 else { return .null }
            var items: [RESPValue] = []
            items.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let item = try readValue(&buffer) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw malformed("a reply of unknown kind \(kind)")
        }
    }

    /// The text up to the next CRLF, which is consumed; nil if no CRLF has arrived yet.
    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        guard let end = buffer.readableBytesView.firstIndex(of: 13) else { return nil }
        let length = end - buffer.readerIndex
        guard buffer.readableBytes >= length + 2, let line = buffer.readString(length: length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// A declared length: -1 (null) or 0 through `maxLength`.
    private static func length(_ line: String) throws(StoreError) -> Int {
        guard let length = Int(line), length >= -1, length <= maxLength else { throw malformed("a length of \(line.prefix(20))") }
        return length
    }

    private static func malformed(_ what: String) -> StoreError {
        .unavailable(component: "redis", reason: "the server sent \(what), which is not Redis's protocol")
    }
}
