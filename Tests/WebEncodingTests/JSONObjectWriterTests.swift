import Foundation
import Testing
import WebEncoding

@Suite("JSON objects written member by member")
struct JSONObjectWriterTests {
    struct Record: Codable, Equatable {
        var text: String
        var count: Int64
        var seconds: Double
        var absent: String?
    }

    @Test("what the writer writes, Foundation's JSONDecoder and ParsedJSON read back as written, escapes and all")
    func readsBack() throws {
        let texts = ["", "plain", "quote \" backslash \\ slash /", "controls \u{0}\u{1}\t\n\r\u{1F}", "é ✓ 𝄞", "\u{7F}"]
        for text in texts {
            for seconds in [0, 1_733_500_000.25, -1.5, 1e300, 5e-324] {
                var writer = JSONObjectWriter()
                writer.add("text", text)
                writer.add("count", Int64.min)
                writer.add("seconds", seconds)
                writer.add("absent", nil as String?)
                let record = Record(text: text, count: .min, seconds: seconds, absent: nil)
                #expect(try JSONDecoder().decode(Record.self, from: Data(writer.utf8)) == record, "\(writer.text)")
                let members = try #require(try ParsedJSON.parse(writer.utf8).object)
                #expect(members == ["text": .string(text), "count": .number(Double(Int64.min)), "seconds": .number(seconds)])
            }
        }
    }

    @Test("an empty object is {}; a number JSON cannot spell is null, for the reader to refuse")
    func edges() throws {
        #expect(JSONObjectWriter().text == "{}")
        var writer = JSONObjectWriter()
        writer.add("a", Double.nan)
        writer.add("b", -Double.infinity)
        #expect(writer.text == #"{"a":null,"b":null}"#)
    }
}
