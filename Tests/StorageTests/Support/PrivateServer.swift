import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A MariaDB or Redis server of one test's own, started and stopped through the same
/// script the test command uses, so a test may take it down without disturbing others.
struct PrivateServer {
    let name: String
    let folder: URL
    private(set) var port = 0
    private(set) var password = ""

    static var available: Bool {
        TestServers.environment["LABGATE_TEST_SERVERS"] != nil || TestServers.isCI
    }

    /// Starts a fresh server named "mariadb" or "redis".
    static func start(_ name: String) throws -> PrivateServer {
        guard let work = TestServers.environment["LABGATE_TEST_WORK"] else {
            throw TestServerMissing(name: name, hint: "LABGATE_TEST_WORK is not set; run the tests through scripts/test.sh")
        }
        var server = PrivateServer(name: name, folder: URL(fileURLWithPath: work).appendingPathComponent(UUID().uuidString))
        try server.start()
        let settings = try String(contentsOf: server.folder.appendingPathComponent("\(name).env"), encoding: .utf8)
        for line in settings.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "PORT" { server.port = Int(parts[1]) ?? 0 }
            if parts[0] == "PASSWORD" { server.password = parts[1] }
        }
        return server
    }

    func start() throws { try run("start") }

    func stop() throws { try run("stop") }

    private func run(_ action: String) throws {
        guard let script = TestServers.environment["LABGATE_TEST_SERVERS"] else {
            throw TestServerMissing(name: name, hint: "LABGATE_TEST_SERVERS is not set; run the tests through scripts/test.sh")
        }
        // posix_spawn and waitpid rather than Foundation's Process, whose waitUntilExit
        // was seen to miss the exit of a script that leaves a daemon behind.
        let arguments = [script, action, name, folder.path]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        // The calling thread may block signals (dispatch's threads do), and a child
        // inherits that mask: the servers it starts would then ignore SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        guard posix_spawn(&pid, script, &actions, &attributes, &argv, environ) == 0 else {
            throw TestServerMissing(name: name, hint: "cannot run \(script)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw TestServerMissing(name: name, hint: "\(script) \(action) \(name) failed with status \(status)")
        }
    }
}
