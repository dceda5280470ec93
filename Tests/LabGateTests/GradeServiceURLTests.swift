import Foundation
import JOSE
import LabCore
import Testing

@testable import LTIGateway

/// The addresses of a platform's grade services, as Moodle writes them.
@Suite("Grade service addresses")
struct GradeServiceURLTests {
    let moodle = Platform(
        issuer: "https://moodle.example.edu", clientID: "c", authURL: "https://moodle.example.edu/mod/lti/auth.php",
        tokenURL: "https://moodle.example.edu/mod/lti/token.php", jwksURL: "https://moodle.example.edu/mod/lti/certs.php", createdAt: Date())

    @Test("/scores goes into the path, before Moodle's query")
    func scoresURL() {
        #expect(
            AssignmentGrades.scoresURL("https://moodle.example.edu/mod/lti/services.php/2/lineitems/12/lineitem?type_id=3")
                == "https://moodle.example.edu/mod/lti/services.php/2/lineitems/12/lineitem/scores?type_id=3")
        #expect(AssignmentGrades.scoresURL("https://lms.example.edu/items/7/") == "https://lms.example.edu/items/7/scores")
        #expect(AssignmentGrades.scoresURL("https://lms.example.edu/items/7") == "https://lms.example.edu/items/7/scores")
    }

    @Test("the next page of a Link header, with straight or typographic quotes, or none")
    func nextLink() {
        #expect(LinkHeader.next(in: #"<https://m.example/l?from=10>; rel="next""#) == "https://m.example/l?from=10")
        #expect(LinkHeader.next(in: "<https://m.example/l?from=10>; rel=\u{201C}next\u{201D}") == "https://m.example/l?from=10")
        #expect(LinkHeader.next(in: #"<https://m.example/first>; rel="first", <https://m.example/2>; rel=next"#) == "https://m.example/2")
        #expect(LinkHeader.next(in: #"<https://m.example/first>; rel="first""#) == nil)
        #expect(LinkHeader.next(in: nil) == nil)
    }

    @Test("a service address from a claim or a Link header is called only on the platform's own host, over https")
    func ownHostOnly() {
        #expect((try? PlatformServiceURL.check("https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=3", of: moodle)) != nil)
        for foreign in ["https://evil.example/lineitems", "http://moodle.example.edu/lineitems", "https://moodle.example.edu.evil.example/x", "not a url"] {
            #expect(throws: ServiceError.self, "\(foreign)") { try PlatformServiceURL.check(foreign, of: moodle) }
        }
    }

    @Test("the client assertion: iss = sub = client id, aud = the token URL, at most five minutes, a new jti each time")
    func clientAssertion() throws {
        let key = try RSASigningKey.generate(kid: "tool-key")
        let now = Date()
        func claims() throws -> ServiceTokens.Assertion {
            let jws = try CompactJWS(parsing: try ServiceTokens.assertion(for: moodle, key: key, now: now))
            try jws.verify(with: try key.publicJWK().verificationKey())
            #expect(jws.header.kid == "tool-key")
            return try JSONDecoder().decode(ServiceTokens.Assertion.self, from: jws.payload)
        }
        let (first, second) = (try claims(), try claims())
        #expect(first.iss == "c" && first.sub == "c" && first.aud == moodle.tokenURL)
        #expect(first.exp - first.iat <= 300 && first.exp > Int(now.timeIntervalSince1970))
        #expect(first.jti != second.jti)
    }
}
