import Foundation
import HTTPTypes
import Hummingbird
import LabCore
import Testing

@testable import WebSupport

@Suite("The session cookie: found in the Cookie header, and sealed in the JSON every version reads")
struct SessionCookieTests {
    static func request(cookies: [String]) -> Request {
        var fields = HTTPFields()
        for header in cookies { fields.append(HTTPField(name: .cookie, value: header)) }
        return Request(head: HTTPRequest(method: .get, scheme: "http", authority: "labgate", path: "/", headerFields: fields), body: .init(buffer: .init()))
    }

    @Test("a cookie is found by its whole name, in any Cookie header, its value as sent; the first one wins")
    func cookieByName() {
        let request = Self.request(cookies: ["labgate_session_old=x; lg=1;labgate_session=v1:a=b ;  other", "labgate_session=second; empty="])
        #expect(request.cookie("labgate_session") == "v1:a=b ")
        #expect(request.cookie("labgate_session_old") == "x")
        #expect(request.cookie("lg") == "1")
        #expect(request.cookie("empty") == "")
        #expect(request.cookie("other") == nil)
        #expect(request.cookie("labgate") == nil)
        #expect(request.cookie("session") == nil)
        #expect(Self.request(cookies: []).cookie("lg") == nil)
        // What Hummingbird's own reader finds, for the same headers (which takes `empty=` for no cookie).
        for name in ["labgate_session", "labgate_session_old", "lg", "other", "labgate"] {
            #expect(request.cookie(name) == request.cookies[name]?.value, "\(name)")
        }
    }

    static let box = SecretBox(secret: Data(repeating: 7, count: 32))

    static func session(course: Bool) -> LaunchSession {
        var session = LaunchSession(
            userID: UserID("u \"1\""), platformID: PlatformID("p-1"), courseID: course ? CourseID("c-1") : nil,
            activityID: course ? ActivityID("a-1") : nil, role: .teacher, expiresAt: Date(timeIntervalSince1970: 1_900_000_000.125),
            startedAt: course ? Date(timeIntervalSince1970: 1_800_000_000.5) : nil)
        session.generation = 42
        return session
    }

    @Test("a sealed session opens as it was; one sealed by Codable (older LabGates) opens too, and Codable reads ours")
    func sealedBothWays() throws {
        let now = Date(timeIntervalSince1970: 1_850_000_000)
        for session in [Self.session(course: true), Self.session(course: false)] {
            #expect(LaunchSession.unsealed(try session.sealed(box: Self.box), box: Self.box, now: now) == session)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            let byCodable = try Self.box.seal(try encoder.encode(session), purpose: LaunchSession.cookiePurpose)
            #expect(LaunchSession.unsealed(byCodable, box: Self.box, now: now) == session)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            #expect(try decoder.decode(LaunchSession.self, from: Data(session.json)) == session)
            #expect(LaunchSession.unsealed(try session.sealed(box: Self.box), box: Self.box, now: session.expiresAt) == nil)
        }
    }

    @Test("a sealed payload that is not a whole session, or has a member of the wrong kind, opens as no session")
    func refusesOthers() throws {
        let now = Date(timeIntervalSince1970: 1_850_000_000)
        let whole = #""id":"s","generation":1,"userID":"u","platformID":"p","role":"student","expiresAt":1900000000"#
        #expect(LaunchSession.unsealed(try Self.box.seal(Data("{\(whole)}".utf8), purpose: LaunchSession.cookiePurpose), box: Self.box, now: now) != nil)
        let others = [
            "{}", "[]", "{\(whole),\"courseID\":5}", "{\(whole),\"startedAt\":\"today\"}", "{\(whole),\"role\":\"dean\"}",
            #"{"id":"s","generation":1.5,"userID":"u","platformID":"p","role":"student","expiresAt":1900000000}"#,
            #"{"id":"s","generation":1,"userID":"u","platformID":"p","role":"student"}"#, "{\(whole),\"id\":\"twice\"}",
        ]
        for payload in others {
            let sealed = try Self.box.seal(Data(payload.utf8), purpose: LaunchSession.cookiePurpose)
            #expect(LaunchSession.unsealed(sealed, box: Self.box, now: now) == nil, "\(payload)")
        }
    }
}
