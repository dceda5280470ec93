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
            #expect(
                text
                    == bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
            #expect(Data(base64URLEncoded: text) == bytes)
            #expect(
                Data(
                    base64URLEncoded: bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                        .replacingOccurrences(of: "/", with: "_")) == bytes, "padded input")
        }
        for bad in ["a", "ab+c", "ab/c", "ab c", "a=b", "abcde", "é", "ab===", "=", "ab=c="] {
            #expect(Data(base64URLEncoded: bad) == nil, "\(bad)")
        }
        let everyByte = Data(0...255)
        #expect(Data(base64URLEncoded: everyByte.base64URLEncodedString()) == everyByte)
        // A JWT's parts are slices of its bytes, and a slice's indices do not start at 0.
        let token = Array("xx.\(everyByte.base64URLEncodedString()).yy".utf8)
        let parts = token.split(separator: UInt8(ascii: "."))
        #expect(Data(base64URLEncodedBytes: parts[1]) == everyByte)
        #expect(Data(base64URLEncodedBytes: "QUJD".utf8.lazy.map { $0 }) == Data("ABC".utf8), "bytes without contiguous storage")
    }

    @Test("form encoding round-trips any text and decodes what browsers send")
    func formEncoding() {
        let fields = [("name", "Ada Lovelace"), ("x", "a&b=c+d%e/ü"), ("x", ""), ("empty", "")]
        let encoded = FormURLEncoding.encode(fields)
        #expect(encoded == "name=Ada%20Lovelace&x=a%26b%3Dc%2Bd%25e%2F%C3%BC&x=&empty=")
        #expect(FormURLEncoding.decode(encoded).map { "\($0.0)=\($0.1)" } == fields.map { "\($0.0)=\($0.1)" })
        #expect(FormURLEncoding.decode("a=1+2&b=%zz&c&d=%4").map { "\($0.0)=\($0.1)" } == ["a=1 2", "b=%zz", "c=", "d=%4"])
        #expect(FormURLEncoding.decode("&&=x&a==1&").map { "\($0.0)|\($0.1)" } == ["|x", "a|=1"])
        // A posted body as it came: bytes that are not UTF-8 become U+FFFD, raw or percent-encoded.
        let body: [UInt8] = Array("a=".utf8) + [0xFF, 0xE2] + Array("&%FE=%C3%A9&b=\u{e9}".utf8)
        #expect(FormURLEncoding.decode(bytes: body).map { "\($0.0)|\($0.1)" } == ["a|\u{FFFD}\u{FFFD}", "\u{FFFD}|é", "b|é"])
    }
}

@Suite("URLs a browser is sent to")
struct BrowserURLTests {
    static let hostile = [
        "javascript:alert(document.domain)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
        "\u{01}\u{1f}javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)", "jav\u{0d}ascript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD4=", " data:text/html,x",
        "vbscript:msgbox(1)", "file:///etc/passwd", "ftp://moodle.example.edu/x",
        "http://moodle.example.edu/mod/lti/contentitem_return.php", "HTTP://moodle.example.edu/return",
        "http://127.0.0.1.evil.example/x", "http://localhost.evil.example/x",
        "//evil.example/return", "/relative/return", "https:evil.example", "https:/evil.example",
        "https://moodle.example.edu@evil.example/", "https://user:pw@moodle.example.edu/", "", "   ",
    ]

    @Test("every scheme but https, in any spelling, and http off loopback are refused")
    func refused() {
        for text in Self.hostile {
            #expect(throws: BrowserURLError.self, "\(text.debugDescription)") {
                try BrowserURL(text, allowInsecureLoopback: true)
            }
        }
    }

    @Test("https anywhere, http only to loopback when allowed, read as the browser reads it")
    func accepted() throws {
        #expect(
            try BrowserURL("https://moodle.example.edu/mod/lti/contentitem_return.php?course=2&id=3", allowInsecureLoopback: false).text
                == "https://moodle.example.edu/mod/lti/contentitem_return.php?course=2&id=3")
        #expect(try BrowserURL(" HTTPS://canvas.instructure.com/x\n", allowInsecureLoopback: false).text == "HTTPS://canvas.instructure.com/x")
        for loopback in ["http://127.0.0.1:8081/return", "http://localhost/x", "http://[::1]:80/x", "http://moodle.localhost/x"] {
            #expect(try BrowserURL(loopback, allowInsecureLoopback: true).text == loopback)
            #expect(throws: BrowserURLError.insecure) { try BrowserURL(loopback, allowInsecureLoopback: false) }
        }
    }
}
