import Foundation
import LabGate
import Logging
import NIOConcurrencyHelpers
import PlatformSim
import Provisioning
import ServiceLifecycle

/// The demo's parts and how they are wired: LabGate on the embedded defaults in a folder of
/// its own, its built-in simulated cluster, and the test platform with a course whose
/// activity opens the `demo` environment.
struct Demo {
    let config: LabGateConfig
    let platformHost: String
    let platformPort: Int
    /// Everything the demo stores; removed when it stops.
    let folder: URL

    /// The environment every launch of the demo course opens.
    static let environment = EnvironmentSpec(
        name: "demo", title: "Linux desktop (simulated)", vms: [VMSpec(template: 9000, cloudInit: CloudInitSpec(user: "student"))])

    init(host: String, port: Int, platformPort: Int, quiet: Bool) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-demo-\(UUID().uuidString.prefix(8))")
        config = try LabGateConfig.defaults([
            "server.host": host, "server.port": String(port), "lti.allowInsecureLoopback": "true",
            "database.path": folder.appendingPathComponent("labgate.sqlite").path,
            "security.secretKeyFile": folder.appendingPathComponent("secret.key").path,
            "lti.platformsDirectory": folder.appendingPathComponent("platforms").path,
            "provisioning.environmentsDirectory": folder.appendingPathComponent("environments").path,
            "log.level": quiet ? "warning" : "notice",
        ])
        platformHost = host
        self.platformPort = platformPort
    }

    /// Runs the demo until `body` returns, or, with no body, until SIGINT or SIGTERM.
    func run(until body: (@Sendable (_ toolURL: String, _ platform: PlatformSim) async throws -> Void)?) async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let platform = try PlatformSim(clientID: "labgate-demo", deploymentID: "demo-deployment")
        try await platform.serving(host: platformHost, port: platformPort) {
            let toolURL = config.lti.publicURL
            try await Backends.prepare(config, platform: platform, environment: try Self.environment.environment())
            platform.offer(CourseOffering(toolURL: toolURL, custom: ["environment": Self.environment.name]))
            let app = try await buildApplication(config: config)
            let logger = Logger(label: "demo")
            let group = ServiceGroup(
                configuration: .init(
                    services: [app], gracefulShutdownSignals: body == nil ? [.sigterm, .sigint] : [], logger: logger))
            let stopped = NIOLockedValueBox<String?>(nil)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    do {
                        try await group.run()
                        stopped.withLockedValue { $0 = $0 ?? "LabGate stopped" }
                    } catch {
                        stopped.withLockedValue { $0 = "\(error)" }
                        throw error
                    }
                }
                let outcome: Result<Void, any Error>
                do {
                    try await waitUntilServing(toolURL) { stopped.withLockedValue { $0 } }
                    if let body {
                        try await body(toolURL, platform)
                    } else {
                        print(banner(platformURL: platform.issuer))
                    }
                    outcome = .success(())
                } catch {
                    outcome = .failure(error)
                }
                if body != nil || (try? outcome.get()) == nil { await group.triggerGracefulShutdown() }
                try await tasks.waitForAll()
                try outcome.get()
            }
        }
    }

    /// What a person reads when the demo is up.
    func banner(platformURL: String) -> String {
        """

        LabGate demo is running.

          Open \(platformURL)/  — a course on a test LTI platform standing in for Moodle.
          Click "Launch as student": LabGate verifies the launch, clones a VM on a
          simulated Proxmox cluster, shows the waiting page, and opens the single-use link. With no
          Guacamole server the link opens a page showing the decoded login and the connection record.
          "Launch as teacher" shows the course's page: the activity's lab, settings, students' labs.

          LabGate:  \(config.lti.publicURL)   (SQLite and keys in \(folder.path), removed on exit)
          Stop with Ctrl-C.

        """
    }
}
