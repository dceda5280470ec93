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

@Suite("The nonce check on its own")
struct NonceReplayTests {
    @Test("a correct but already-used nonce, under a fresh state, is refused as replayed")
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

            // The same state and token can never come twice (the state is spent), so the
            // nonce is spent first by hand: the check must stand on its own.
            let replay = try await freshLogin()
            #expect(try await ephemeral.setIfAbsent(LoginState.nonceKey(replay.nonce), to: "used", ttl: .seconds(60)))
            await #expect(throws: LTIError.nonceReplayed) {
                _ = try await service.validator.validate(idToken: replay.token, state: replay.state, stateCookie: { _ in replay.state }, now: Date())
            }
        }
    }
}
