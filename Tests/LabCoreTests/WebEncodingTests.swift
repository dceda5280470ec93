import Foundation
import Testing
import WebEncoding

@Suite("Web encodings")
struct WebEncodingTests {
    @Test("base64url round-trips every length and refuses what is not base64url")
    func base64URL() {
        for length in 0..<40 {
            let bytes = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) })
            let text = bytes.base64URLEncodedString()
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(text == bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
            #expect(Data(base64URLEncoded: text) == bytes)
            #expect(Data(base64URLEncoded: bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")) == bytes, "padded input")
        }
        for bad in ["a", "ab+c", "ab/c", "ab c", "a=b", "abcde", "é"] {
            #expect(Data(base64URLEncoded: bad) == nil, "\(bad)")
        }
    }

    @Test("form encoding round-trips any text and decodes what browsers send")
    func formEncoding() {
        let fields = [("name", "Ada Lovelace"), ("x", "a&b=c+d%e/ü"), ("x", ""), ("empty", "")]
        let encoded = FormURLEncoding.encode(fields)
        #expect(encoded == "name=Ada%20Lovelace&x=a%26b%3Dc%2Bd%25e%2F%C3%BC&x=&empty=")
        #expect(FormURLEncoding.decode(encoded).map { "\($0.0)=\($0.1)" } == fields.map { "\($0.0)=\($0.1)" })
        #expect(FormURLEncoding.decode("a=1+2&b=%zz&c&d=%4").map { "\($0.0)=\($0.1)" } == ["a=1 2", "b=%zz", "c=", "d=%4"])
    }
}
