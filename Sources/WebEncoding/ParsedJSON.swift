import Foundation

/// A JSON text (RFC 8259) read in one pass over its bytes, strictly: what Foundation's
/// `JSONDecoder` refuses, this refuses too, and also the trailing comma it lets through and a
/// name given twice in one object (RFC 7515 §5.2 lets a JWT's reader take the last or refuse).
///
/// Every launch reads an id_token's claims; through `Codable` that took 9 % of the gateway's
/// CPU under load, more than the RS256 check. This reads the same claims in a fraction of it.
public enum ParsedJSON: Sendable, Hashable {
    case object([String: ParsedJSON])
    case array([ParsedJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// How deep arrays and objects may nest: far more than any claim set, and little stack.
    public static let maximumDepth = 64

    /// Parses `bytes`, a whole JSON text; throws where it stops being JSON.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> ParsedJSON {
        var reader = JSONReader(bytes: bytes)
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("text after the JSON value") }
        return value
    }

    /// Parses `bytes` (a `Data`, a `[UInt8]`), a whole JSON text.
    public static func parse(_ bytes: some ContiguousBytes) throws(JSONSyntaxError) -> ParsedJSON {
        try bytes.withUnsafeBytes { buffer in Result { () throws(JSONSyntaxError) in try parse(buffer) } }.get()
    }

    /// The members of an object, or nil.
    public var object: [String: ParsedJSON]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The text of a string, or nil.
    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The value of a number, or nil.
    public var number: Double? {
        if case .number(let value) = self { value } else { nil }
    }
}

extension Optional where Wrapped == ParsedJSON {
    /// An optional member as `Codable` reads one: absent or null is `.some(nil)`; any other
    /// value is itself if it is of the kind asked for, and nil if not (refuse the record).
    public func optional<Value>(_ kind: (ParsedJSON) -> Value?) -> Value?? {
        guard let member = self, member != .null else { return .some(nil) }
        return kind(member).map { .some($0) }
    }
}

/// Where and why a text is not JSON.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// The byte offset at which reading stopped.
    public var offset: Int
    public var description: String { "\(reason) at byte \(offset)" }
}

/// The cursor over the text. Every read checks the index against the end first: the bytes
/// come from whoever posted the form, and unsafe buffers are not bounds-checked in release.
private struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(reason: reason, offset: index) }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        skipWhitespace()
        guard let byte = current else { throw error("the text ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("a value cannot begin with byte \(byte)")
        }
    }

    mutating func literal(_ word: StaticString, _ value: ParsedJSON) throws(JSONSyntaxError) -> ParsedJSON {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count, (0..<count).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] }) else {
            throw error("not a value")
        }
        index += count
        return value
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        guard depth <= ParsedJSON.maximumDepth else { throw error("nested deeper than \(ParsedJSON.maximumDepth)") }
        index += 1  // {
        var members: [String: ParsedJSON] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("an object's member must begin with a quoted name") }
            let name = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("a member's name must be followed by ':'") }
            index += 1
            let value = try value(depth: depth)
            guard members.updateValue(value, forKey: name) == nil else { throw error("the name \"\(name.prefix(100))\" appears twice") }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        guard depth <= ParsedJSON.maximumDepth else { throw error("nested deeper than \(ParsedJSON.maximumDepth)") }
        index += 1  // [
        var elements: [ParsedJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// A string from its opening quote; most have no escape and are taken as they are.
    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1  // "
        let start = index
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw error("a control character in a string") }
            index += 1
        }
        guard let stop = current else { throw error("a string that does not end") }
        if stop == UInt8(ascii: "\"") {
            index += 1
            return try text(UnsafeRawBufferPointer(rebasing: bytes[start..<index - 1]))
        }
        var unescaped = Array(bytes[start..<index])
        while let byte = current, byte != UInt8(ascii: "\"") {
            guard byte >= 0x20 else { throw error("a control character in a string") }
            if byte == UInt8(ascii: "\\") {
                try escape(into: &unescaped)
            } else {
                unescaped.append(byte)
                index += 1
            }
        }
        guard current != nil else { throw error("a string that does not end") }
        index += 1
        return try unescaped.withUnsafeBytes { buffer in Result { () throws(JSONSyntaxError) in try text(buffer) } }.get()
    }

    func text(_ buffer: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> String {
        // ASCII is valid UTF-8 as it is, and most claims are ASCII: this spares the generic
        // validation, which looks up its types at run time for every string (1 % of a launch).
        if buffer.allSatisfy({ $0 < 0x80 }) { return String(decoding: buffer, as: UTF8.self) }
        guard let text = String(validating: buffer, as: UTF8.self) else { throw error("a string that is not UTF-8") }
        return text
    }

    /// One escape, from its backslash, appended as UTF-8.
    mutating func escape(into output: inout [UInt8]) throws(JSONSyntaxError) {
        index += 1  // \
        guard let letter = current else { throw error("a string that does not end") }
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(letter)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexQuad())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one: together one scalar.
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("a lone surrogate in a string")
                }
                index += 2
                let low = UInt32(try hexQuad())
                guard (0xDC00..<0xE000).contains(low) else { throw error("a lone surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("a lone surrogate in a string")
            }
            // Surrogates are excluded above, so every value left is a scalar.
            UTF8.encode(Unicode.Scalar(scalar)!) { output.append($0) }
        default: throw error("an unknown escape in a string")
        }
    }

    mutating func hexQuad() throws(JSONSyntaxError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("a \\u escape without four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape without four hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// A number by RFC 8259's grammar: no leading zeros, no lone '.', no '+', no hex.
    mutating func number() throws(JSONSyntaxError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw error("a number without digits") }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("a number without digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("a number without digits in its exponent") }
        }
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(literal), number.isFinite else { throw error("a number out of range") }
        return number
    }

    mutating func digits() -> Int {
        let start = index
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }
}
