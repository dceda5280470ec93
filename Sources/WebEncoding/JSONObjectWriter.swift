/// Writes one flat JSON object (RFC 8259) member by member, for the small records written on
/// every login and launch, where `JSONEncoder` cost more than the record's own work.
/// Read back with `ParsedJSON` or any JSON reader.
public struct JSONObjectWriter: Sendable {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    public init() {}

    public mutating func add(_ name: String, _ value: String) {
        begin(name)
        Self.append(quoted: value, to: &bytes)
    }

    /// A member that is left out when `value` is nil, as `Codable` leaves out a nil optional.
    public mutating func add(_ name: String, _ value: String?) {
        if let value { add(name, value) }
    }

    public mutating func add(_ name: String, _ value: Int64) {
        begin(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A number in Swift's shortest spelling that reads back the same; JSON has none for an
    /// infinity or NaN, which is written as `null`, for the reader to refuse.
    public mutating func add(_ name: String, _ value: Double) {
        begin(name)
        bytes.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
    }

    /// The object's UTF-8 text, closed.
    public var utf8: [UInt8] { bytes + [UInt8(ascii: "}")] }

    /// The object's text, closed.
    public var text: String { String(decoding: utf8, as: UTF8.self) }

    private mutating func begin(_ name: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        Self.append(quoted: name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    private static func append(quoted text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(Hex.lower[Int(byte >> 4)])
                bytes.append(Hex.lower[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
