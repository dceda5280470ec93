import Foundation
import Storage
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary as a university runs it: two `serve` and three `worker` processes on one
/// MariaDB and Redis, with PVESim as a process of its own behind HTTPS, and a class that
/// clicks at once through both gateways.
@Suite("Several processes, for real", .enabled(if: TestConfig.serversUnderTest))
struct ManyProcessesTests {
    /// The cluster: four nodes, linked clones of 8 simulated seconds, 50 times faster.
    static let cluster = """
        timeScale: 50
        nodes:
          - { name: pve1, cores: 64, memoryMiB: 524288, subnet: 198.18.1.0/24 }
          - { name: pve2, cores: 64, memoryMiB: 524288, subnet: 198.18.2.0/24 }
          - { name: pve3, cores: 64, memoryMiB: 524288, subnet: 198.18.3.0/24 }
          - { name: pve4, cores: 64, memoryMiB: 524288, subnet: 198.18.4.0/24 }
        storages:
          - { id: ceph, shared: true, nodes: [pve1, pve2, pve3, pve4], maxConcurrentClones: 16, linkedCloneSeconds: 8, fullCloneSeconds: 60 }
        templates:
          - { vmid: 9000, name: debian-desktop, node: pve1, storage: ceph, cores: 1, memoryMiB: 1024 }
        pools: [labgate]
        tokens:
          - { id: "labgate@pve!many", secret: "a-secret-for-the-many-processes-test" }
        durations: { start: 3, stop: 2, shutdown: 5, snapshot: 2, rollback: 3, destroy: 2, lockTimeout: 10, agentDelay: 10 }
        """

    @Test("300 students through two gateways, three workers and PVESim as processes: 300 ready, one VM and desktop each, one reconciler at a time")
    func threeHundredStudents() async throws {
        let folder = try StartupSafetyTests.scratchFolder()
        let clusterFile = folder + "/pve-sim.yaml"
        try Self.cluster.write(toFile: clusterFile, atomically: true, encoding: .utf8)
        let pveSim = try ChildProcess(
            CommandLineTests.binary, ["pve-sim", "--config", clusterFile, "--port", "0", "--tls-folder", folder + "/pve"], in: folder)
        var processes = [pveSim]
        defer {
            for process in processes { process.signal(SIGKILL) }
        }
        let pveURL = try await Self.servingURL(of: pveSim)
        let backing = try await ServersForProcesses.make(
            "many",
            adding: [
                "LABGATE_LOG_LEVEL": "notice", "LABGATE_LOG_FORMAT": "json", "LABGATE_LTI_ALLOW_INSECURE_LOOPBACK": "true",
                "LABGATE_PROXMOX_URL": pveURL, "LABGATE_PROXMOX_TOKEN_ID": "labgate@pve!many",
                "LABGATE_PROXMOX_TOKEN_SECRET": "a-secret-for-the-many-processes-test", "LABGATE_PROXMOX_TRUST": "ca",
                "LABGATE_PROXMOX_CA_FILE": folder + "/pve/pve-root-ca.pem", "LABGATE_PROVISIONING_RECONCILE_INTERVAL_SECONDS": "5",
                "LABGATE_DATABASE_POOL_SIZE": "16",
            ])
        let environment = backing.environment

        var servers: [(server: ChildProcess, url: String)] = []
        for _ in 0..<2 {
            let (server, url, ready) = try await CommandLineTests.serving(in: folder, environment: environment, publicURL: true)
            processes.append(server)
            servers.append((server, url))
            try #require(ready, "\(server.errorOutput.suffix(2000))")
        }
        var workers: [ChildProcess] = []
        let probes = (0..<3).map { _ in LoopbackAddress.random() }
        for probe in probes {
            let own = ["LABGATE_SERVER_HOST": probe.host, "LABGATE_WORKER_PORT": String(probe.port)]
            workers.append(try ChildProcess(CommandLineTests.binary, ["worker"], in: folder, environment: environment.merging(own) { $1 }))
        }
        processes += workers

        let bench = try await ChildProcess.run(
            CommandLineTests.binary,
            ["bench", "rush", "--students", "300", "--quota", "300", "--settle-seconds", "300"]
                + servers.flatMap { ["--url", $0.url, "--server-pid", String($0.server.pid)] },
            in: folder, environment: environment)
        let line = bench.output.trimmingCharacters(in: .whitespacesAndNewlines)
        print("labgate bench rush over 2 serve + 3 worker processes: \(line)")
        #expect(bench.status == 0, "\(bench.error.suffix(2000))")
        let figures = Self.figures(line)
        for (key, value) in [
            ("admitted", "300"), ("errors", "0"), ("ready", "300"), ("failed", "0"), ("transient", "0"), ("vms", "300"), ("duplicates", "0"),
            ("stray_vms", "0"), ("missing_desktops", "0"),
        ] {
            #expect(figures[key] == value, "\(key) in \(line)\n\(bench.error.suffix(1000))")
        }

        // Each worker answers its probes; its metrics want a token.
        for probe in probes {
            #expect(try await CommandLineTests.get(probe.url, path: "/healthz").status == 200)
            #expect(try await CommandLineTests.get(probe.url, path: "/readyz").status == 200)
            #expect(try await CommandLineTests.get(probe.url, path: "/metrics").status == 401)
        }

        // One reconciler the whole time: one process led. (Its reconciler and class preparer may
        // both draw when they start together; the one whose claim lost leaves a token unused, and
        // the process draws a current one on its next pass: still one holder.)
        let terms = workers.map { Self.terms(in: $0.errorOutput) }
        #expect(terms.filter { !$0.isEmpty }.count == 1 && Set(terms.flatMap { $0 }.map(\.holder)).count == 1, "\(terms)")
        let leader = try #require(terms.firstIndex { !$0.isEmpty })
        let leadersLast = try #require(terms[leader].map(\.token).max())

        // Its holder stalls past the lock's expiry (15 s): another takes over with a larger token,
        // and the stalled one, let go again, does not take the lock back.
        workers[leader].signal(SIGSTOP)
        let deadline = ContinuousClock.now + .seconds(40)
        let others = workers.indices.filter { $0 != leader }
        while ContinuousClock.now < deadline, others.allSatisfy({ Self.terms(in: workers[$0].errorOutput).isEmpty }) {
            try await Task.sleep(for: .milliseconds(250))
        }
        workers[leader].signal(SIGCONT)
        try await Task.sleep(for: .seconds(6))
        let after = workers.map { Self.terms(in: $0.errorOutput) }
        let successors = others.filter { !after[$0].isEmpty }
        #expect(after[leader].map(\.token) == terms[leader].map(\.token), "the stalled holder did not lead again: \(after)")
        #expect(successors.count == 1, "one process took over: \(after)")
        let successor = try #require(successors.first.flatMap { after[$0].max { $0.token < $1.token } })
        #expect(successor.token > leadersLast, "with a larger token: \(after)")
        let lock = try await TestServers.withRedisClient(prefix: environment["LABGATE_REDIS_KEY_PREFIX"] ?? "") {
            try await RedisEphemeralStore(client: $0).get("reconciler-lock")
        }
        #expect(lock == "\(successor.holder) \(successor.token)", "the successor still holds the lock, under its latest token")

        for process in processes.dropFirst() { process.signal(SIGTERM) }
        for process in processes.dropFirst() { _ = await process.exitStatus() }
        try await backing.drop()
    }

    /// The address PVESim prints once it serves.
    static func servingURL(of pveSim: ChildProcess) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, pveSim.isRunning {
            if let range = pveSim.output.range(of: #"https://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                return String(pveSim.output[range])
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ChildProcessError(message: "PVESim did not start: \(pveSim.errorOutput.suffix(1000))")
    }

    /// `key=value` pairs of a benchmark's line.
    static func figures(_ line: String) -> [String: String] {
        Dictionary(
            line.split(separator: " ").compactMap { pair -> (String, String)? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }
        ) { $1 }
    }

    /// The terms a process began as the reconciler, from its JSON log.
    static func terms(in log: String) -> [(holder: String, token: Int)] {
        log.split(separator: "\n").compactMap { line in
            guard line.contains("holds the reconciler's lock now"),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { return nil }
            let metadata = (object["metadata"] as? [String: Any]) ?? object
            guard let holder = metadata["holder"] as? String, let token = (metadata["token"] as? String).flatMap(Int.init) else { return nil }
            return (holder, token)
        }
    }
}
