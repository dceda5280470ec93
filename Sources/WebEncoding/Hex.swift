extension Array where Element == UInt8 {
    /// The bytes `text` writes as hex digits, two a byte in either case; nil if it is not that.
    public init?(hexEncoded text: some StringProtocol) {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Hex.value(of: digits[index]), let low = Hex.value(of: digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes
    }

    /// The bytes as hex digits, lower-case unless `uppercase`.
    public func hexEncodedString(uppercase: Bool = false) -> String {
        let alphabet = uppercase ? Hex.upper : Hex.lower
        return String(decoding: flatMap { [alphabet[Int($0 >> 4)], alphabet[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}

/// Hex digits, byte by byte.
enum Hex {
    static let lower = Array("0123456789abcdef".utf8)
    static let upper = Array("0123456789ABCDEF".utf8)

    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
