import Foundation
import Testing
import WebEncoding

@Suite("JSON read in one pass")
struct ParsedJSONTests {
    static func parse(_ text: String) throws(JSONSyntaxError) -> ParsedJSON { try ParsedJSON.parse(Array(text.utf8)) }

    /// What Foundation's JSONDecoder (which read the claims before) reads from the same text, in ParsedJSON's terms.
    static func foundation(_ text: String) -> ParsedJSON? {
        try? JSONDecoder().decode(Decoded.self, from: Data(text.utf8)).value
    }

    struct Decoded: Decodable {
        var value: ParsedJSON

        init(from decoder: any Decoder) throws {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = .null
            } else if let flag = try? single.decode(Bool.self) {
                value = .bool(flag)
            } else if let number = try? single.decode(Double.self) {
                value = .number(number)
            } else if let text = try? single.decode(String.self) {
                value = .string(text)
            } else if let array = try? single.decode([Decoded].self) {
                value = .array(array.map(\.value))
            } else {
                value = .object(try single.decode([String: Decoded].self).mapValues(\.value))
            }
        }
    }

    @Test("reads what Foundation reads, to the same values")
    func agreesWithFoundation() throws {
        let texts = [
            #"{}"#, #"[]"#, #" {"a" : [1, -2.5, 3e2, 0, -0.0, 1E-3, true, false, null], "b": {"c": "d"}} "#,
            #""plain""#, #"12345678901234"#, #"{"iss":"https://moodle.example.edu","aud":["x","y"],"exp":1765000000}"#,
            #"{"esc": "q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20AC \ud83d\ude00 \u0000"}"#, #"{"ünï": "cödé ✓ 😀"}"#,
            "[\n\t1 ,\r\n2 ]", #"{"a":{"b":{"c":{"d":[[[[]]]]}}}}"#,
        ]
        for text in texts {
            let parsed = try Self.parse(text)
            #expect(parsed == Self.foundation(text), "\(text)")
        }
    }

    @Test("refuses what is not JSON, saying where")
    func refusesWhatIsNotJSON() {
        let texts = [
            "", " ", "{", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "[1 2]", "01", "1.", ".5", "+1", "-", "1e", "0x10", "NaN",
            "Infinity", "1e400", "tru", "nul", "[true false]", #""no end"#, "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud800""#,
            #""\udc00""#, #""\ud800\u0041""#, "{} {}", "[1] x", #"{"a":1,"a":2}"#, "'single'", "[1,,2]",
        ]
        for text in texts {
            #expect(throws: JSONSyntaxError.self, "\(text.debugDescription)") { try Self.parse(text) }
            // Foundation lets a trailing comma and a name given twice through; RFC 8259 does not.
            let lenient = [#"[1,]"#, #"{"a":1,}"#, #"{"a":1,"a":2}"#].contains(text)
            #expect((Self.foundation(text) == nil) != lenient, "Foundation reads \(text.debugDescription)")
        }
        let error = try? #require(throws: JSONSyntaxError.self) { try Self.parse(#"{"a": [1, 2,]}"#) }
        #expect(error?.offset == 12, "where the value should be, at the ]")
    }

    @Test("bytes that are not UTF-8 inside a string, or outside one, are refused")
    func invalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x5B, 0xC3, 0xA9, 0x5D]] {
            #expect(throws: JSONSyntaxError.self, "\(bytes)") { try ParsedJSON.parse(bytes) }
        }
    }

    @Test("nesting is bounded, so a hostile token cannot exhaust the stack")
    func depth() throws {
        let deep = ParsedJSON.maximumDepth
        #expect(try Self.parse(String(repeating: "[", count: deep) + String(repeating: "]", count: deep)) != .null)
        #expect(throws: JSONSyntaxError.self) {
            try Self.parse(String(repeating: "[", count: deep + 1) + String(repeating: "]", count: deep + 1))
        }
        #expect(throws: JSONSyntaxError.self) { try Self.parse(String(repeating: #"{"a":"#, count: 100_000)) }
    }

    @Test("every prefix of a valid text is refused, never read past its end")
    func truncated() throws {
        let text = #"{"a": [1.5e3, "b\u00e9\"", {"c": null}], "d": true, "e": "😀"}"#
        let bytes = Array(text.utf8)
        #expect(try ParsedJSON.parse(bytes).object?.count == 3)
        for end in 0..<bytes.count {
            #expect(throws: JSONSyntaxError.self, "\(end)") { try ParsedJSON.parse(Array(bytes[..<end])) }
        }
    }
}
