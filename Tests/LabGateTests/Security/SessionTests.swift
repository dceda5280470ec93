import Foundation
import LabCore
import PlatformSim
import Provisioning
import Storage
import TestSupport
import Testing
import WebEncoding

@testable import LTIGateway
@testable import LabGate
@testable import WebSupport

@Suite("Sessions that can be ended, and window passes that cannot be replayed")
struct SessionTests {
    static func student(_ subject: String, environment: String) -> LaunchScenario {
        LaunchScenario(subject: subject, resourceLinkID: "link-\(environment)", custom: ["environment": environment])
    }

    /// A broken template keeps the lab from becoming ready, so its waiting page stays put.
    static func brokenEnvironment(_ bed: LTITestbed) async throws -> String {
        try await bed.repositories.environments.save(
            EnvironmentSpec(name: "broken-\(UUID().uuidString.prefix(6))", title: "Broken", vms: [VMSpec(template: 9999)]).environment()
        ).name
    }

    static func field(_ name: String, in body: String) throws -> String {
        let match = try #require(body.firstMatch(of: try Regex<(Substring, Substring)>(#"name="\#(name)" value="([^"]+)""#)))
        return String(match.1)
    }

    @Test("the cookie is sealed: not readable, not accepted in any other spelling")
    func sealedCookie() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await Self.brokenEnvironment(bed)
            let waitingPath = try #require(try await bed.launch(Self.student("sealed", environment: environment)).header("location"))
            let cookie = try #require(bed.browser.cookieJar[LaunchSession.cookieName])
            #expect(cookie.hasPrefix("v1:"))
            let payload = Data(base64URLEncoded: cookie.dropFirst(3)) ?? Data()
            #expect(!String(decoding: payload, as: UTF8.self).contains("learner") && !String(decoding: payload, as: UTF8.self).contains("userID"))
            #expect(try await bed.browser.get(bed.toolURL + waitingPath).status == 200)
            for spelling in [cookie + "=", cookie + "==", cookie.replacingOccurrences(of: "v1:", with: "V1:"), " " + cookie] {
                bed.browser.cookieJar[LaunchSession.cookieName] = spelling
                #expect(try await bed.browser.get(bed.toolURL + waitingPath).status == 401, "\(spelling)")
            }
        }
    }

    @Test("after logout, after a relaunch and after an admin ends a user's sessions, the old cookie gets 401; logout needs the form's token")
    func sessionsEnd() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await Self.brokenEnvironment(bed)
            let scenario = Self.student("ending", environment: environment)
            let waitingPath = try #require(try await bed.launch(scenario).header("location"))
            let page = try await bed.browser.get(bed.toolURL + waitingPath)
            let csrf = try Self.field("csrf", in: page.body)
            let first = try #require(bed.browser.cookieJar[LaunchSession.cookieName])

            // Logout: refused without the token or without a session, then ends this session only.
            try await bed.withOtherBrowser { (nobody) async throws in
                #expect(try await nobody.post(bed.toolURL + "/logout", fields: [("csrf", csrf)]).status == 401)
            }
            #expect(try await bed.browser.post(bed.toolURL + "/logout", fields: []).status == 403)
            #expect(try await bed.browser.post(bed.toolURL + "/logout", fields: [("csrf", "wrong")]).status == 403)
            let out = try await bed.browser.post(bed.toolURL + "/logout", fields: [("csrf", csrf)])
            #expect(out.status == 200 && out.body.contains("logged out of LabGate"))
            bed.browser.cookieJar[LaunchSession.cookieName] = first
            #expect(try await bed.browser.get(bed.toolURL + waitingPath).status == 401)

            // A relaunch in the same browser ends the session it held.
            _ = try await bed.launch(scenario)
            let second = try #require(bed.browser.cookieJar[LaunchSession.cookieName])
            #expect(second != first)
            _ = try await bed.launch(scenario)
            let third = try #require(bed.browser.cookieJar[LaunchSession.cookieName])
            bed.browser.cookieJar[LaunchSession.cookieName] = second
            #expect(try await bed.browser.get(bed.toolURL + waitingPath).status == 401)
            bed.browser.cookieJar[LaunchSession.cookieName] = third
            #expect(try await bed.browser.get(bed.toolURL + waitingPath).status == 200)

            // An admin ends every session of the user: this browser's and another one's.
            try await bed.withOtherBrowser { (laptop) async throws in
                _ = try await bed.launch(scenario, in: laptop)
                #expect(try await laptop.get(bed.toolURL + waitingPath).status == 200)
                let instance = try #require(try await bed.repositories.instances.find(id: LabInstanceID(String(waitingPath.split(separator: "/").last!))))
                let token = try await APITokens(repository: bed.repositories.apiTokens).create(name: "ender", scope: .admin, lifetime: nil, now: Date())
                let ended = try await AdminAPITests.call("POST", bed.toolURL + "/api/v1/users/\(instance.userID)/end-sessions", token: token.bearer)
                #expect(ended.status == 204)
                #expect(try await AdminAPITests.call("POST", bed.toolURL + "/api/v1/users/nobody-\(UUID())/end-sessions", token: token.bearer).status == 404)
                #expect(try await laptop.get(bed.toolURL + waitingPath).status == 401)
                #expect(try await bed.browser.get(bed.toolURL + waitingPath).status == 401)
                // A new launch works again.
                _ = try await bed.launch(scenario, in: laptop)
                #expect(try await laptop.get(bed.toolURL + waitingPath).status == 200)
            }
        }
    }

    @Test("a window pass works once, for its own lab only; a cross-site post is refused with 403")
    func windowPassOnceAndSameSite() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await Self.brokenEnvironment(bed)
            let waitingPath = try #require(try await bed.launch(Self.student("windowed", environment: environment)).header("location"))
            let otherPath = try #require(try await bed.launch(Self.student("windowed", environment: try await Self.brokenEnvironment(bed))).header("location"))
            let pass = { try Self.field("pass", in: try await bed.browser.get(bed.toolURL + waitingPath).body) }
            try await bed.withOtherBrowser { (window) async throws in
                for headers in [
                    [("Origin", "https://evil.example")], [("Sec-Fetch-Site", "cross-site")], [("Origin", "null")],
                    [("Sec-Fetch-Site", "same-site"), ("Origin", bed.toolURL)],
                ] {
                    let refused = try await window.post(bed.toolURL + waitingPath + "/window", fields: [("pass", try await pass())], headers: headers)
                    #expect(refused.status == 403, "\(headers)")
                }
                let forOtherLab = try await pass()
                #expect(try await window.post(bed.toolURL + otherPath + "/window", fields: [("pass", forOtherLab)]).status == 401)
                #expect(try await window.post(bed.toolURL + waitingPath + "/window", fields: [("pass", forOtherLab)]).status == 401, "spent by the wrong try")
                let good = try await pass()
                let opened = try await window.post(
                    bed.toolURL + waitingPath + "/window", fields: [("pass", good)],
                    headers: [("Origin", bed.toolURL), ("Sec-Fetch-Site", "same-origin")])
                #expect(opened.status == 303)
                #expect(try await window.get(bed.toolURL + waitingPath).status == 200)
                try await bed.withOtherBrowser { (replay) async throws in
                    #expect(try await replay.post(bed.toolURL + waitingPath + "/window", fields: [("pass", good)]).status == 401)
                }
            }
            // The page's script renews the pass with the form's token.
            let csrf = try Self.field("csrf", in: try await bed.browser.get(bed.toolURL + waitingPath).body)
            let renewed = try await bed.browser.post(bed.toolURL + waitingPath + "/window-pass", fields: [("csrf", csrf)])
            #expect(renewed.status == 200 && renewed.body.contains("\"pass\""))
            #expect(try await bed.browser.post(bed.toolURL + waitingPath + "/window-pass", fields: [("csrf", "x")]).status == 403)
        }
    }

    /// Records how long each key is kept.
    final class RecordingStore: EphemeralStore, @unchecked Sendable {
        let inner = MemoryEphemeralStore()
        var ttls: [String: Duration] = [:]
        func set(_ key: String, to value: String, ttl: Duration) async throws {
            ttls[key] = ttl
            try await inner.set(key, to: value, ttl: ttl)
        }
        func setIfAbsent(_ key: String, to value: String, ttl: Duration) async throws -> Bool { try await inner.setIfAbsent(key, to: value, ttl: ttl) }
        func claim(_ key: String, for token: String, ttl: Duration) async throws -> Bool {
            ttls[key] = ttl
            return try await inner.claim(key, for: token, ttl: ttl)
        }
        func replace(_ key: String, ifHolding expected: String, with value: String, ttl: Duration) async throws -> Bool {
            try await inner.replace(key, ifHolding: expected, with: value, ttl: ttl)
        }
        func get(_ key: String) async throws -> String? { try await inner.get(key) }
        func get(_ key: String, renewing ttl: Duration) async throws -> String? {
            ttls[key] = ttl
            return try await inner.get(key, renewing: ttl)
        }
        func take(_ key: String) async throws -> String? { try await inner.take(key) }
        func delete(_ key: String) async throws -> Bool { try await inner.delete(key) }
        func increment(_ key: String, by amount: Int64, ttl: Duration) async throws -> Int64 { try await inner.increment(key, by: amount, ttl: ttl) }
        func ping() async throws {}
    }

    @Test("a window pass is kept for two minutes at most")
    func passLifetime() async throws {
        let store = RecordingStore()
        let sessions = SessionStore(ephemeral: store, box: SecretBox(secret: Data(count: 32)), lifetime: .seconds(7200))
        let pass = try await sessions.issuePass(for: "v1:cookie", instance: "lab-1")
        #expect(store.ttls["window-pass:" + pass].map { $0 <= .seconds(120) } == true)
    }
}
