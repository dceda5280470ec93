/// `application/x-www-form-urlencoded` (the WHATWG URL standard's form encoding), used for
/// form posts and query strings on both sides of a launch; byte by byte, as it runs on
/// every request.
public enum FormURLEncoding {
    /// Fields in order; a name may repeat.
    public static func decode(_ text: some StringProtocol) -> [(String, String)] {
        decode(bytes: Array(text.utf8))
    }

    /// Fields in order from the form's bytes (a posted body, as it came); bytes that are not
    /// UTF-8 become U+FFFD once decoded.
    public static func decode(bytes: [UInt8]) -> [(String, String)] {
        var fields: [(String, String)] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            let pair = bytes[start..<end]
            start = end + 1
            guard !pair.isEmpty else { continue }
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                fields.append((unescape(pair[..<equals]), unescape(pair[(equals + 1)...])))
            } else {
                fields.append((unescape(pair), ""))
            }
        }
        return fields
    }

    /// The fields encoded, every byte outside `A–Z a–z 0–9 - . _ ~` percent-encoded.
    public static func encode(_ fields: [(String, String)]) -> String {
        var output = [UInt8]()
        // Room for the fields as they are: a login's redirect carries a state of 300 bytes.
        output.reserveCapacity(fields.reduce(fields.count * 2) { $0 + $1.0.utf8.count + $1.1.utf8.count })
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            escape(name, into: &output)
            output.append(UInt8(ascii: "="))
            escape(value, into: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func escape(_ text: String, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 15)])
            }
        }
    }

    /// `+` is a space and `%XX` a byte; a `%` not followed by two hex digits stays as it is.
    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = Hex.value(of: bytes[index + 1]), let low = Hex.value(of: bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
