import Foundation
import LabCore
import Logging
import PlatformSim
import Provisioning
import Storage
import Testing

@testable import LTIGateway
@testable import LabGate
@testable import WebSupport

@Suite("A login state and its nonce pass once")
struct NonceReplayTests {
    /// A service on its own recording store, and logins of one student started through it.
    struct Logins {
        let bed: LTITestbed
        let box: SecretBox
        let store: SessionTests.RecordingStore
        let service: LTIService
        let scenario = LaunchScenario(subject: "nonce-\(UUID().uuidString.prefix(6))")

        /// Runs `body` with logins sealed under `secret`, and shuts their service down after.
        static func with<Result>(_ bed: LTITestbed, secret: Data = Data(count: 32), _ body: (Logins) async throws -> Result) async throws -> Result {
            let box = SecretBox(secret: secret)
            let store = SessionTests.RecordingStore()
            let service = LTIService(
                settings: LTISettings(publicURL: bed.toolURL, allowInsecureLoopback: true), repositories: bed.repositories,
                ephemeral: store, labs: LabOperations(repositories: bed.repositories, queue: MemoryJobQueue(settings: bed.config.queue)),
                destinations: LaunchDestinations(lab: PagePaths.lab, course: PagePaths.course), box: box, logger: Logger(label: "test"))
            defer { Task { await service.shutdown() } }
            return try await body(Logins(bed: bed, box: box, store: store, service: service))
        }

        /// A login started now: its state, and the token the platform signs for its nonce.
        func fresh() async throws -> (state: String, token: String, nonce: String) {
            let redirect = try await service.login.start([
                "iss": bed.platform.issuer, "client_id": bed.platform.clientID, "login_hint": scenario.subject,
                "target_link_uri": bed.toolURL + "/lti/launch",
            ])
            let nonce = try #require(LoginState(sealed: redirect.state, box: box, now: Date())).nonce
            let token = try bed.platform.idToken(for: scenario, nonce: nonce, targetLinkURI: bed.toolURL + "/lti/launch")
            return (redirect.state, token, nonce)
        }

        func validate(_ token: String, _ state: String, now: Date = Date()) async throws {
            _ = try await service.validator.validate(idToken: token, state: state, stateCookie: { _ in state }, now: now)
        }
    }

    @Test("a used launch cannot come again: not under its own state (spent), nor its nonce under a fresh state (each state has its own)")
    func usedNonceRefused() async throws {
        try await LTITestbed.run { (bed) async throws in
            try await Logins.with(bed) { logins in
                let good = try await logins.fresh()
                #expect(logins.store.ttls.isEmpty, "a login writes nothing")
                try await logins.validate(good.token, good.state)
                #expect(logins.store.ttls == [LoginState.spentKey(good.nonce): .seconds(660)], "spent for its lifetime and the clock skew")

                await #expect(throws: LTIError.unknownState) { try await logins.validate(good.token, good.state) }
                let fresh = try await logins.fresh()
                #expect(fresh.nonce != good.nonce)
                await #expect(throws: LTIError.nonceMismatch) { try await logins.validate(good.token, fresh.state) }
                // A refused post spends nothing: the fresh state still passes with its own token.
                try await logins.validate(fresh.token, fresh.state)
            }
        }
    }

    @Test("a state that has expired, was sealed by another LabGate, or was altered is refused")
    func foreignOrStaleState() async throws {
        try await LTITestbed.run { (bed) async throws in
            let foreign = try await Logins.with(bed, secret: Data(repeating: 7, count: 32)) { try await $0.fresh() }
            try await Logins.with(bed) { logins in
                let login = try await logins.fresh()
                await #expect(throws: LTIError.unknownState) { try await logins.validate(login.token, login.state, now: Date() + 601) }
                await #expect(throws: LTIError.unknownState) { try await logins.validate(foreign.token, foreign.state) }
                // One character changed inside the seal; and the same seal spelled with padding.
                var altered = Array(login.state)
                altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
                for state in [String(altered), login.state + "="] {
                    await #expect(throws: LTIError.unknownState) { try await logins.validate(login.token, state) }
                }
                try await logins.validate(login.token, login.state)
            }
        }
    }

    @Test("a login state reads back whole with any text in it; its cookie's name is a cookie token of its own")
    func sealedRoundTrip() throws {
        let box = SecretBox(secret: Data(count: 32))
        let state = LoginState(
            platformID: PlatformID("p-1"), issuer: "https://moodle.example.edu", clientID: "c \"é\"\\\t", nonce: "n/1\u{1}", expires: 2_000_000_000)
        let sealed = try state.sealed(with: box)
        #expect(LoginState(sealed: sealed, box: box, now: Date(timeIntervalSince1970: 1_999_999_999)) == state)
        #expect(LoginState(sealed: sealed, box: box, now: Date(timeIntervalSince1970: 2_000_000_000)) == nil, "expired")
        #expect(LoginState(sealed: try box.seal(Data("{}".utf8), purpose: LoginState.purpose), box: box, now: Date(timeIntervalSince1970: 0)) == nil)
        let names = try (0..<2).map { _ in LoginState.cookieName(try state.sealed(with: box)) }
        #expect(names[0] != names[1])
        let token = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        #expect(names.allSatisfy { $0.count == 25 && $0.allSatisfy(token.union("_").contains) })
    }
}
