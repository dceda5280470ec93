import AsyncHTTPClient
import Foundation
import Hummingbird
import LabCore
import Logging
import PlatformSim
import Provisioning
import ServiceLifecycle
import Storage
import Synchronization
import TestSupport
import Testing

@testable import LabGate

/// LabGate running on a real port with the test platform registered through a platform
/// file, and a browser to drive launches: the whole flow over HTTP, as Moodle and a person would.
struct LTITestbed: Sendable {
    let platform: PlatformSim
    let toolURL: String
    let config: LabGateConfig
    let repositories: Repositories
    /// The ephemeral store the server uses too, on Redis; an in-process store of the test's own on embedded.
    let ephemeral: any EphemeralStore
    let browser: SimBrowser
    /// Where the server keeps Guacamole's tables (its own database on these defaults), for a test that plays Guacamole.
    let guacamoleDatabase: any SQLDatabase

    /// Which storage LabGate runs on.
    enum Storage: String, CaseIterable, CustomStringConvertible, Sendable {
        case embedded, servers
        var description: String { rawValue }

        /// The engines to test: always the embedded ones; the real servers when present (always under CI).
        static var underTest: [Storage] { TestConfig.serversUnderTest ? [.embedded, .servers] : [.embedded] }
    }

    /// How long a test waits for the server's reconciler or class preparer (every 5 s) to act:
    /// a few seconds alone, but CI's parallel suite on two cores has made it past 30 s.
    static let backgroundPassTimeout = Duration.seconds(120)

    /// The built-in simulated cluster, a thousand times faster than real time.
    static let fastCluster = """
        timeScale: 1000
        nodes: [{ name: pve1, subnet: 198.18.1.0/24 }, { name: pve2, subnet: 198.18.2.0/24 }]
        storages: [{ id: shared, shared: true, nodes: [pve1, pve2] }]
        templates: [{ vmid: 9000, name: debian-desktop, node: pve1, storage: shared }]
        pools: [labgate]
        tokens: [{ id: "labgate@pve!test", secret: "not-a-secret-test-token" }]
        guestCommands:
          - { match: "hello.txt" }
          - { match: "nginx", exitCode: 3, stdout: "<b>inactive</b>" }
        """

    /// `webServices`: the functions a Moodle web-service token of the test platform may call,
    /// given to LabGate in the platform's file; nil: no web services.
    static func run(
        storage: Storage = .embedded, _ overrides: [String: String] = [:], webServices: [String]? = nil,
        _ body: @Sendable (LTITestbed) async throws -> Void
    ) async throws {
        let platform = try PlatformSim()
        // A class is one per issuer and context, and the servers' database outlives each test:
        // an issuer of its own (not 127.0.0.1 and a port an earlier test's platform may have had)
        // keeps this test out of the classes, quotas and labs of earlier ones.
        let host = storage == .servers ? "127.\(UInt8.random(in: 1...254)).\(UInt8.random(in: 0...255)).\(UInt8.random(in: 1...254))" : "127.0.0.1"
        try await platform.serving(host: host) {
            // A port found free may be taken by another test before LabGate binds it: then try another.
            for attempt in 1...3 {
                do {
                    return try await run(
                        storage: storage, overrides, webServices: webServices, platform: platform, port: try freeLoopbackPort(), body)
                } catch let failure as StartFailure where attempt < 3 {
                    Logger(label: "test").warning("LabGate did not start; trying another port", metadata: ["error": .string("\(failure)")])
                }
            }
        }
    }

    /// Why LabGate's services stopped, once they have.
    private final class StopReason: Sendable {
        let value = Mutex<String?>(nil)
    }

    /// LabGate could not start serving (its port was taken meanwhile, say).
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static func run(
        storage: Storage, _ overrides: [String: String], webServices: [String]?, platform: PlatformSim, port: Int,
        _ body: @Sendable (LTITestbed) async throws -> Void
    ) async throws {
        // An address of its own in 127.0.0.0/8 as well: another test's server can never answer in its place.
        let host = "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
        let platforms = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-platforms-\(UUID().uuidString)")
        // As an operator would keep it (it may hold a web-service token): LabGate warns about a folder others can read.
        try FileManager.default.createDirectory(at: platforms, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var moodle = ""
        if let functions = webServices {
            let tokenFile = platforms.appendingPathComponent("moodle.token")
            try platform.moodle.issueToken(functions: functions).write(to: tokenFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile.path)
            moodle = "\nwebServices: { siteUrl: \"\(platform.issuer)\", tokenFile: \"\(tokenFile.path)\" }"
        }
        try """
        issuer: \(platform.issuer)
        clientId: \(platform.clientID)
        deploymentIds: ["\(platform.deploymentID)"]
        authUrl: \(platform.authURL)
        tokenUrl: \(platform.tokenURL)
        jwksUrl: \(platform.jwksURL)\(moodle)
        """.write(to: platforms.appendingPathComponent("sim.yaml"), atomically: true, encoding: .utf8)
        let cluster = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-pve-sim-\(UUID().uuidString).yaml")
        try Self.fastCluster.write(to: cluster, atomically: true, encoding: .utf8)
        let settings = [
            "server.host": host, "server.port": String(port), "lti.allowInsecureLoopback": "true", "lti.platformsDirectory": platforms.path,
            "log.level": "warning", "proxmox.simulatorConfig": cluster.path,
        ].merging(overrides) { $1 }
        let toolURL = "http://\(host):\(port)"
        if storage == .servers {
            try await TestConfig.withServers(settings) { try await run(config: $0, at: toolURL, platform: platform, body) }
        } else {
            try await run(config: try TestConfig.embedded(settings), at: toolURL, platform: platform, body)
        }
    }

    /// Serves LabGate on `config` at `toolURL` (its `server.host` and `server.port`), and runs `body` against it.
    private static func run(
        config: LabGateConfig, at toolURL: String, platform: PlatformSim, _ body: @Sendable (LTITestbed) async throws -> Void
    ) async throws {
        let app = try await buildApplication(config: config)
        let backends = try await Backends.open(config)
        let browser = SimBrowser()
        let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
        let stopped = StopReason()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await serviceGroup.run()
                    stopped.value.withLock { $0 = $0 ?? "LabGate stopped" }
                } catch {
                    stopped.value.withLock { $0 = "\(error)" }
                }
            }
            try await withCleanup {
                try await waitUntilServing(toolURL + "/healthz", browser: browser) { stopped.value.withLock { $0 } }
                platform.trustTool(keySetURL: toolURL + "/lti/jwks")
                try await body(
                    LTITestbed(
                        platform: platform, toolURL: toolURL, config: config, repositories: backends.repositories, ephemeral: backends.ephemeral,
                        browser: browser, guacamoleDatabase: backends.guacamoleDatabase ?? backends.database))
            } cleanup: {
                await browser.shutdown()
                await backends.close()
                await serviceGroup.triggerGracefulShutdown()
                try? await group.waitForAll()
            }
        }
    }

    /// Polls `/healthz` until it answers 200; gives up at once when LabGate stopped (`stopped` says why), or after 60 s
    /// (a loaded two-core machine has taken more than 20).
    private static func waitUntilServing(_ url: String, browser: SimBrowser, stopped: @Sendable () -> String?) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let reason = stopped() { throw StartFailure(description: reason) }
            if let page = try? await browser.get(url), page.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailure(description: "LabGate did not start serving within 60 s")
    }

    /// A fresh browser (no cookies), shut down after `body`.
    func withOtherBrowser<T>(_ body: (SimBrowser) async throws -> T) async throws -> T {
        let other = SimBrowser()
        return try await withCleanup {
            try await body(other)
        } cleanup: {
            await other.shutdown()
        }
    }

    /// Launches `scenario` in the testbed's browser.
    func launch(_ scenario: LaunchScenario, in browser: SimBrowser? = nil) async throws -> SimBrowser.Page {
        try await (browser ?? self.browser).launch(scenario, platform: platform, toolURL: toolURL)
    }

    /// Follows the redirect `page` answered, on LabGate, in `browser`.
    func follow(_ page: SimBrowser.Page, in browser: SimBrowser? = nil) async throws -> SimBrowser.Page {
        let location = try #require(page.header("location"), "expected a redirect, got \(page.status): \(page.body.prefix(300))")
        return try await (browser ?? self.browser).get(location.hasPrefix("/") ? toolURL + location : location)
    }

    /// An environment teachers can choose, with `checks` of the students' work (the simulated
    /// guests pass `hello.txt` checks and fail `nginx` ones, printing HTML).
    @discardableResult
    func addEnvironment(_ name: String, title: String, checks: [CheckSpec] = [], checkpoints: Int = 0) async throws -> LabCore.Environment {
        try await repositories.environments.save(
            EnvironmentSpec(name: name, title: title, vms: [VMSpec(template: 9000)], checkpoints: checkpoints, checks: checks).environment())
    }
}
