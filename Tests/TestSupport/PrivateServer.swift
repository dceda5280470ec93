import Foundation

/// A MariaDB or Redis server of one test's own, started and stopped through the same
/// script the test command uses, so a test may take it down without disturbing others.
public struct PrivateServer: Sendable {
    public let name: String
    public let folder: URL
    public private(set) var port = 0
    public private(set) var password = ""
    /// Redis's TLS port; 0 for MariaDB, which speaks TLS on its one port.
    public private(set) var tlsPort = 0
    /// Added to the script's environment.
    private var environment: [String: String] = [:]

    public static var available: Bool {
        TestServers.environment["LABGATE_TEST_SERVERS"] != nil || TestServers.isCI
    }

    /// Starts a fresh server named "mariadb" or "redis"; `environment` goes to scripts/test-servers.sh.
    public static func start(_ name: String, environment: [String: String] = [:]) async throws -> PrivateServer {
        guard let work = TestServers.environment["LABGATE_TEST_WORK"] else {
            throw TestServerMissing(name: name, hint: "LABGATE_TEST_WORK is not set; run the tests through scripts/test.sh")
        }
        var server = PrivateServer(name: name, folder: URL(fileURLWithPath: work).appendingPathComponent(UUID().uuidString), environment: environment)
        try await server.start()
        let settings = try String(contentsOf: server.folder.appendingPathComponent("\(name).env"), encoding: .utf8)
        for line in settings.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "PORT" { server.port = Int(parts[1]) ?? 0 }
            if parts[0] == "PASSWORD" { server.password = parts[1] }
            if parts[0] == "TLS_PORT" { server.tlsPort = Int(parts[1]) ?? 0 }
        }
        return server
    }

    public func start() async throws { try await run("start") }

    public func stop() async throws { try await run("stop") }

    private func run(_ action: String) async throws {
        guard let script = TestServers.environment["LABGATE_TEST_SERVERS"] else {
            throw TestServerMissing(name: name, hint: "LABGATE_TEST_SERVERS is not set; run the tests through scripts/test.sh")
        }
        let status = try await ChildProcess(script, [action, name, folder.path], environment: environment).exitStatus()
        guard status == 0 else {
            throw TestServerMissing(name: name, hint: "\(script) \(action) \(name) failed with status \(status)")
        }
    }
}
