import Foundation

/// The URL-safe base64 of RFC 4648 §5 as JWTs use it (RFC 7515 §2): `-` and `_` instead of
/// `+` and `/`, no padding. Byte by byte, because every launch decodes a JWT with it.
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}

extension Data {
    /// The URL-safe base64 of these bytes, without padding.
    public func base64URLEncodedString() -> String {
        var output = [UInt8]()
        output.reserveCapacity((count * 4 + 2) / 3)
        var iterator = makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let chunk = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(Base64URL.alphabet[Int(chunk >> 18 & 63)])
            output.append(Base64URL.alphabet[Int(chunk >> 12 & 63)])
            if second != nil { output.append(Base64URL.alphabet[Int(chunk >> 6 & 63)]) }
            if third != nil { output.append(Base64URL.alphabet[Int(chunk & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes URL-safe base64, with or without trailing padding; nil if it is not base64url.
    public init?(base64URLEncoded text: some StringProtocol) {
        self.init(base64URLEncodedBytes: text.utf8)
    }

    /// Decodes URL-safe base64 given as its ASCII bytes.
    public init?(base64URLEncodedBytes text: some Collection<UInt8>) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for byte in text {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = Base64URL.value(of: byte) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Six bits left over means one character too many: not a whole byte.
        guard bits < 6, padding <= 2 else { return nil }
        self.init(bytes)
    }
}
