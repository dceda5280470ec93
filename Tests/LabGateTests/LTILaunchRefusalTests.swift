import Foundation
import Logging
import PlatformSim
import TestSupport
import Testing

@testable import LTIGateway
@testable import LabGate

/// One launch that must be refused, and how.
struct Refusal: Sendable, CustomStringConvertible {
    var description: String
    var scenario: LaunchScenario
    var status: Int
    /// Words the page must say.
    var says: String

    static let lti = "https://purl.imsglobal.org/spec/lti/claim/"

    static func claim(_ name: String, _ value: JSONValue?) -> @Sendable (inout [String: JSONValue]) -> Void {
        { $0[name] = value }
    }

    static let all: [Refusal] = [
        Refusal(description: "tampered signature", scenario: LaunchScenario(signing: .tamperedPayload), status: 401, says: "signature"),
        Refusal(description: "signed by the wrong key", scenario: LaunchScenario(signing: .foreignKey), status: 401, says: "signature"),
        Refusal(
            description: "unknown kid", scenario: LaunchScenario(signing: .unknownKid("never-published")), status: 401,
            says: "key your learning platform does not publish"),
        Refusal(description: "alg none", scenario: LaunchScenario(signing: .algNone), status: 401, says: "accepts only RS256"),
        Refusal(
            description: "HS256 keyed with the public key", scenario: LaunchScenario(signing: .hs256WithPublicKey), status: 401, says: "accepts only RS256"),
        Refusal(description: "wrong aud", scenario: LaunchScenario(tamper: claim("aud", "another-tool")), status: 401, says: "meant for another tool"),
        Refusal(
            description: "an untrusted extra aud", scenario: LaunchScenario(tamper: claim("aud", ["labgate-client", "another-tool"])), status: 401,
            says: "meant for another tool"),
        Refusal(description: "wrong azp", scenario: LaunchScenario(tamper: claim("azp", "another-tool")), status: 401, says: "azp"),
        Refusal(
            description: "wrong iss", scenario: LaunchScenario(tamper: claim("iss", "https://evil.example")), status: 401, says: "different learning platform"),
        Refusal(
            description: "expired", scenario: LaunchScenario(tamper: claim("exp", .number(Date().timeIntervalSince1970 - 600))), status: 401, says: "expired"),
        Refusal(
            description: "iat in the future", scenario: LaunchScenario(tamper: claim("iat", .number(Date().timeIntervalSince1970 + 600))), status: 401,
            says: "in the future"),
        Refusal(description: "missing nonce", scenario: LaunchScenario(tamper: claim("nonce", nil)), status: 401, says: "nonce"),
        Refusal(description: "mismatched nonce", scenario: LaunchScenario(tamper: claim("nonce", "some-other-nonce")), status: 401, says: "nonce"),
        Refusal(
            description: "unknown deployment", scenario: LaunchScenario(tamper: claim(lti + "deployment_id", "deployment-x")), status: 403, says: "deployment-x"
        ),
        Refusal(description: "wrong version", scenario: LaunchScenario(tamper: claim(lti + "version", "1.1")), status: 400, says: "LTI version 1.1"),
        Refusal(
            description: "unknown message type", scenario: LaunchScenario(messageType: "LtiSubmissionReviewRequest"), status: 400,
            says: "LtiSubmissionReviewRequest"),
        Refusal(
            description: "missing resource link", scenario: LaunchScenario(tamper: claim(lti + "resource_link", nil)), status: 400,
            says: "resource link missing"),
        Refusal(
            description: "target_link_uri elsewhere", scenario: LaunchScenario(tamper: claim(lti + "target_link_uri", "https://evil.example/launch")),
            status: 400, says: "not LabGate"),
        Refusal(description: "missing roles", scenario: LaunchScenario(tamper: claim(lti + "roles", nil)), status: 400, says: "role"),
        Refusal(description: "missing context", scenario: LaunchScenario(tamper: claim(lti + "context", nil)), status: 400, says: "which course"),
        Refusal(
            description: "a sub longer than 255", scenario: LaunchScenario(subject: String(repeating: "s", count: 256)), status: 400, says: "sub is longer"),
        Refusal(
            description: "a context id longer than 255", scenario: LaunchScenario(contextID: String(repeating: "c", count: 300)), status: 400,
            says: "context id is longer"),
        Refusal(
            description: "a resource link id longer than 255", scenario: LaunchScenario(resourceLinkID: String(repeating: "r", count: 300)), status: 400,
            says: "resource link id is longer"),
        Refusal(description: "claims of the wrong type", scenario: LaunchScenario(tamper: claim("exp", "tomorrow")), status: 400, says: "could not be read"),
        Refusal(
            description: "a student asking for Deep Linking", scenario: LaunchScenario(messageType: "LtiDeepLinkingRequest"), status: 403, says: "Only teachers"
        ),
        Refusal(
            description: "Deep Linking that accepts no resource links",
            scenario: LaunchScenario(
                roles: [LTIRoles.instructor], messageType: "LtiDeepLinkingRequest",
                tamper: claim(
                    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
                    ["deep_link_return_url": "https://moodle.example.edu/return", "accept_types": ["file"]])),
            status: 400, says: "does not accept LTI resource links"),
    ]
}

@Suite("LTI launch: every check refuses what it must, with a 4xx page")
struct LTILaunchRefusalTests {
    @Test("a bad id_token is refused with a page that says why", arguments: Refusal.all)
    func refused(_ refusal: Refusal) async throws {
        try await LTITestbed.run { (bed) async throws in
            let page = try await bed.launch(refusal.scenario)
            #expect(page.status == refusal.status, "\(refusal.description): \(page.body.prefix(400))")
            #expect(page.body.contains(refusal.says), "\(refusal.description): \(page.body)")
            #expect(page.body.contains("The lab could not be opened"))
            #expect(page.headers("set-cookie").allSatisfy { !$0.hasPrefix("labgate_session=") }, "no session for a refused launch")
        }
    }

    @Test("accepted and refused launches are counted by the check that failed")
    func metrics() async throws {
        try await LTITestbed.run { (bed) async throws in
            _ = try await bed.launch(LaunchScenario(signing: .algNone))
            _ = try await bed.launch(LaunchScenario())
            #expect(try await bed.browser.get(bed.toolURL + "/metrics").status == 401)
            let token = try await APITokens(repository: bed.repositories.apiTokens).create(name: "prometheus", scope: .read, lifetime: nil, now: Date())
            let metrics = try await AdminAPITests.call("GET", bed.toolURL + "/metrics", token: token.bearer).text
            let lines = metrics.split(separator: "\n").filter { $0.hasPrefix("labgate_lti_requests_total{") }
            #expect(lines.contains { $0.contains(#"step="launch""#) && $0.contains(#"outcome="algorithmNotAllowed""#) })
            #expect(lines.contains { $0.contains(#"step="launch""#) && $0.contains(#"outcome="accepted""#) })
        }
    }

    /// Runs the login and stops before the id_token is posted: the form the platform answered.
    static func pendingLaunch(_ bed: LTITestbed, _ scenario: LaunchScenario = LaunchScenario()) async throws -> HTMLForm {
        let login = try await bed.browser.startLogin(scenario, platform: bed.platform, toolURL: bed.toolURL)
        let authentication = try await bed.browser.get(try #require(login.header("location")))
        return try #require(authentication.form)
    }

    @Test("a replayed launch form (same state, same id_token) is refused")
    func replayedForm() async throws {
        try await LTITestbed.run { (bed) async throws in
            let form = try await Self.pendingLaunch(bed)
            let cookies = bed.browser.cookieJar
            #expect(try await bed.browser.submit(form).status == 200)
            bed.browser.cookieJar = cookies
            let replay = try await bed.browser.submit(form)
            #expect(replay.status == 400)
            #expect(replay.body.contains("expired or was already used"))
        }
    }

    @Test("a replayed id_token with a fresh state is refused (its nonce belongs to the old login)")
    func replayedToken() async throws {
        try await LTITestbed.run { (bed) async throws in
            let first = try await Self.pendingLaunch(bed)
            #expect(try await bed.browser.submit(first).status == 200)
            var second = try await Self.pendingLaunch(bed)
            second.fields = second.fields.map { $0.0 == "id_token" ? ("id_token", first["id_token"]!) : $0 }
            let replay = try await bed.browser.submit(second)
            #expect(replay.status == 401)
            #expect(replay.body.contains("nonce"))
        }
    }

    @Test("an altered state is refused, and the real one still works")
    func alteredState() async throws {
        try await LTITestbed.run { (bed) async throws in
            let form = try await Self.pendingLaunch(bed)
            var altered = form
            altered.fields = form.fields.map { $0.0 == "state" ? ("state", String($0.1.reversed())) : $0 }
            #expect(try await bed.browser.submit(altered).status == 400)
            #expect(try await bed.browser.submit(form).status == 200)
        }
    }

    @Test("a state posted from another browser is refused and not spent")
    func stateFromAnotherBrowser() async throws {
        try await LTITestbed.run { (bed) async throws in
            let form = try await Self.pendingLaunch(bed)
            try await bed.withOtherBrowser { (attacker) async throws in
                let page = try await attacker.submit(form)
                #expect(page.status == 400)
                #expect(page.body.contains("another browser"))
            }
            #expect(try await bed.browser.submit(form).status == 200)
        }
    }

    @Test("a launch form without a state or an id_token is refused")
    func missingFields() async throws {
        try await LTITestbed.run { (bed) async throws in
            let form = try await Self.pendingLaunch(bed)
            for name in ["state", "id_token"] {
                let page = try await bed.browser.post(form.action, fields: form.fields.filter { $0.0 != name })
                #expect(page.status == 400)
                #expect(page.body.contains(name))
            }
            let garbage = try await bed.browser.post(form.action, fields: [("state", form["state"]!), ("id_token", "not.a.jwt!")])
            #expect(garbage.status == 400)
        }
    }

    @Test("a pending platform cannot launch")
    func pendingPlatform() async throws {
        try await LTITestbed.run { (bed) async throws in
            var platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            platform.status = .pending
            _ = try await bed.repositories.platforms.update(platform)
            // The running server trusts what it read for a few seconds; a fresh login after that sees the change.
            try await Task.sleep(for: .seconds(6))
            let page = try await bed.browser.startLogin(LaunchScenario(), platform: bed.platform, toolURL: bed.toolURL)
            #expect(page.status == 403)
            #expect(page.body.contains("not yet approved"))
        }
    }
}

@Suite("LTI launch: the platform's key set")
struct KeySetTests {
    @Test("unknown kids cause at most one refetch per interval, however many launches carry them")
    func noAmplification() async throws {
        try await LTITestbed.run(["lti.keySetRefetchSeconds": "60"]) { (bed) async throws in
            #expect(try await bed.launch(LaunchScenario()).status == 200)
            #expect(bed.platform.keySetFetches == 1)
            for attempt in 0..<10 {
                let page = try await bed.launch(LaunchScenario(signing: .unknownKid("made-up-\(attempt)")))
                #expect(page.status == 401)
            }
            #expect(bed.platform.keySetFetches == 1)
            #expect(try await bed.launch(LaunchScenario()).status == 200)
            #expect(bed.platform.keySetFetches == 1)
        }
    }

    @Test("a key the platform adds 200 ms after LabGate fetched its set: the launch signed with it waits for the next fetch and succeeds")
    func keyAddedJustAfterAFetch() async throws {
        try await LTITestbed.run { (bed) async throws in
            #expect(try await bed.launch(LaunchScenario()).status == 200)
            #expect(bed.platform.keySetFetches == 1)
            try await Task.sleep(for: .milliseconds(200))
            try bed.platform.rotateKey(keepOld: true)
            #expect(try await bed.launch(LaunchScenario()).status == 200)
            #expect(bed.platform.keySetFetches == 2)
        }
    }

    @Test("1,000 launches with made-up kids within 2 s cost at most 3 fetches of the platform's key set")
    func floodOfUnknownKids() async throws {
        let platform = try PlatformSim()
        try await platform.serving {
            let http = OutboundHTTP(policy: OutboundURLPolicy(allowInsecureLoopback: true, allowPrivateAddresses: true))
            let cache = KeySetCache(http: http, maxAge: .seconds(600), refetchInterval: .seconds(1), logger: Logger(label: "test"))
            let start = ContinuousClock.now
            // Each launch: whether it was refused as an unknown kid, and when it arrived.
            let launches = await withTaskGroup(of: (Bool, ContinuousClock.Instant).self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        // Spread over 1.5 s, as a flood of forged launches would come.
                        try? await Task.sleep(until: start + .microseconds(index * 1500), clock: .continuous)
                        let arrived = ContinuousClock.now
                        do {
                            _ = try await cache.key("made-up-\(index)", keySetURL: platform.jwksURL)
                            return (false, arrived)
                        } catch let error as LTIError {
                            return (error == .unknownKey(kid: "made-up-\(index)"), arrived)
                        } catch {
                            return (false, arrived)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let finished = ContinuousClock.now
            await http.shutdown()
            #expect(launches.filter(\.0).count == 1000)
            // One fetch a second at most: the first, then one per second the flood lasted. A busy
            // machine may wake the launches late, stretching the flood or bunching its arrivals
            // after a stall, so it is measured from the first launch to the last answer (with
            // 0.1 s for the wait to enter the cache): within 2 s, that is at most 3 fetches.
            let span = finished - launches.map(\.1).min()! + .milliseconds(100)
            let bound = Int(span.components.seconds) + 2
            #expect((2...bound).contains(platform.keySetFetches), "\(platform.keySetFetches) fetches for a flood of \(span)")
        }
    }

    @Test("a platform that rotates its key is followed: the new kid triggers a refetch")
    func rotation() async throws {
        try await LTITestbed.run(["lti.keySetRefetchSeconds": "0"]) { (bed) async throws in
            #expect(try await bed.launch(LaunchScenario()).status == 200)
            try bed.platform.rotateKey(keepOld: false)
            #expect(try await bed.launch(LaunchScenario()).status == 200)
            #expect(bed.platform.keySetFetches == 2)
        }
    }
}
