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

@Suite("A nonce passes once")
struct NonceReplayTests {
    @Test("a used launch cannot come again: not under its own state (spent), nor its nonce under a fresh state (each state has its own)")
    func usedNonceRefused() async throws {
        try await LTITestbed.run { (bed) async throws in
            let ephemeral = MemoryEphemeralStore()
            let service = LTIService(
                settings: LTISettings(publicURL: bed.toolURL, allowInsecureLoopback: true), repositories: bed.repositories,
                ephemeral: ephemeral, labs: LabOperations(repositories: bed.repositories, queue: MemoryJobQueue(settings: bed.config.queue)),
                destinations: LaunchDestinations(lab: PagePaths.lab, course: PagePaths.course),
                box: SecretBox(secret: Data(count: 32)),
                logger: Logger(label: "test"))
            defer { Task { await service.shutdown() } }
            let scenario = LaunchScenario(subject: "nonce-\(UUID().uuidString.prefix(6))")
            /// A login started now: its state, and the token the platform signs for its nonce.
            func freshLogin() async throws -> (state: String, token: String, nonce: String) {
                let redirect = try await service.login.start([
                    "iss": bed.platform.issuer, "client_id": bed.platform.clientID, "login_hint": scenario.subject,
                    "target_link_uri": bed.toolURL + "/lti/launch",
                ])
                let stored = try #require(try await ephemeral.get(LoginState.storeKey(redirect.state)))
                let nonce = try JSONDecoder().decode(LoginState.self, from: Data(stored.utf8)).nonce
                let token = try bed.platform.idToken(for: scenario, nonce: nonce, targetLinkURI: bed.toolURL + "/lti/launch")
                return (redirect.state, token, nonce)
            }
            // The control: a fresh login passes every check.
            let good = try await freshLogin()
            _ = try await service.validator.validate(idToken: good.token, state: good.state, stateCookie: { _ in good.state }, now: Date())

            await #expect(throws: LTIError.unknownState) {
                _ = try await service.validator.validate(idToken: good.token, state: good.state, stateCookie: { _ in good.state }, now: Date())
            }
            let fresh = try await freshLogin()
            #expect(fresh.nonce != good.nonce)
            await #expect(throws: LTIError.nonceMismatch) {
                _ = try await service.validator.validate(idToken: good.token, state: fresh.state, stateCookie: { _ in fresh.state }, now: Date())
            }
        }
    }
}
