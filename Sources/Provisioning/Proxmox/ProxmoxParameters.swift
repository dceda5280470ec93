/// Parameters of one API call, encoded the way PVE reads them: booleans as `0`/`1`,
/// everything percent-encoded except RFC 3986's unreserved characters.
public struct ProxmoxParameters: Sendable, Hashable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init() {}

    public mutating func set(_ name: String, _ value: String?) {
        guard let value else { return }
        pairs.removeAll { $0.name == name }
        pairs.append((name, value))
    }

    /// An array parameter, sent as the name repeated once per value, as PVE reads arrays from a form.
    public mutating func set(_ name: String, each values: [String]) {
        pairs.removeAll { $0.name == name }
        pairs += values.map { (name, $0) }
    }

    public mutating func set(_ name: String, _ value: Int?) { set(name, value.map(String.init)) }

    /// PVE's schema takes `0` or `1` for a boolean in a form, never `true`.
    public mutating func set(_ name: String, _ value: Bool?) { set(name, value.map { $0 ? "1" : "0" }) }

    /// Values in `urlencoded` format, such as `sshkeys`, are encoded once more by the caller:
    /// PVE decodes the form, then the value.
    public mutating func setURLEncoded(_ name: String, _ value: String?) { set(name, value.map(Self.percentEncoded)) }

    public var encoded: String {
        pairs.map { "\(Self.percentEncoded($0.name))=\(Self.percentEncoded($0.value))" }.joined(separator: "&")
    }

    public var isEmpty: Bool { pairs.isEmpty }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    /// Percent-encodes all but `A-Z a-z 0-9 - . _ ~`; also right for one path segment (a UPID).
    public static func percentEncoded(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
