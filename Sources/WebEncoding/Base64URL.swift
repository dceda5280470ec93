import Foundation

/// The URL-safe base64 of RFC 4648 §5 as JWTs use it (RFC 7515 §2): `-` and `_` instead of
/// `+` and `/`, no padding. Every launch decodes a JWT with it, so both directions run over
/// contiguous bytes with tables, never through a generic iterator.
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Each byte's six bits, or `invalid`.
    static let values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()
    static let invalid: UInt8 = 0xFF

    static func encode(_ input: UnsafeRawBufferPointer) -> String {
        let length = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            alphabet.withUnsafeBufferPointer { alphabet in
                var written = 0
                var index = 0
                while index < input.count {
                    let remaining = input.count - index
                    let chunk =
                        UInt32(input[index]) << 16 | (remaining > 1 ? UInt32(input[index + 1]) << 8 : 0) | (remaining > 2 ? UInt32(input[index + 2]) : 0)
                    output[written] = alphabet[Int(chunk >> 18 & 63)]
                    output[written + 1] = alphabet[Int(chunk >> 12 & 63)]
                    written += 2
                    if remaining > 1 {
                        output[written] = alphabet[Int(chunk >> 6 & 63)]
                        written += 1
                    }
                    if remaining > 2 {
                        output[written] = alphabet[Int(chunk & 63)]
                        written += 1
                    }
                    index += 3
                }
                return written
            }
        }
    }

    /// The decoded bytes, or nil if `text` is not base64url (trailing `=` padding allowed).
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        // Six bits left over means one character too many: not a whole byte.
        guard text.count - end <= 2, end % 4 != 1, end > 0 || text.isEmpty else { return nil }
        return values.withUnsafeBufferPointer { values in
            var valid = true
            let bytes = [UInt8](unsafeUninitializedCapacity: end * 3 / 4) { output, written in
                var accumulator: UInt32 = 0
                var bits: UInt32 = 0
                var count = 0
                for index in 0..<end {
                    let value = values[Int(text[index])]
                    guard value != invalid else {
                        valid = false
                        break
                    }
                    accumulator = accumulator << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        output[count] = UInt8(truncatingIfNeeded: accumulator >> bits)
                        count += 1
                    }
                }
                written = count
            }
            return valid ? bytes : nil
        }
    }
}

extension Data {
    /// The URL-safe base64 of these bytes, without padding.
    public func base64URLEncodedString() -> String {
        withUnsafeBytes(Base64URL.encode)
    }

    /// Decodes URL-safe base64, with or without trailing padding; nil if it is not base64url.
    public init?(base64URLEncoded text: some StringProtocol) {
        var text = String(text)
        guard let bytes = text.withUTF8(Base64URL.decode) else { return nil }
        self.init(bytes)
    }

    /// Decodes URL-safe base64 given as its ASCII bytes.
    public init?(base64URLEncodedBytes text: some Collection<UInt8>) {
        let decoded = text.withContiguousStorageIfAvailable(Base64URL.decode) ?? Array(text).withUnsafeBufferPointer(Base64URL.decode)
        guard let decoded else { return nil }
        self.init(decoded)
    }
}
