import Foundation
import Storage
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Redis failing over under the real processes: two `serve` and two `worker` processes that find
/// Redis through a Sentinel, a class whose labs are being made when the failover is forced, and
/// a second class that clicks right after it.
@Suite("Redis failover under the processes", .enabled(if: TestConfig.serversUnderTest && RedisSentinelSet.available))
struct SentinelFailoverOverProcessesTests {
    @Test("a Sentinel failover forced while a class's labs are made: every lab of it ends ready, none twice, and the next class's launches go through")
    func failoverWhileAClassIsProvisioned() async throws {
        let redis = try await RedisSentinelSet()
        let folder = try StartupSafetyTests.scratchFolder()
        var processes: [ChildProcess] = []
        try await withCleanup {
            let clusterFile = folder + "/pve-sim.yaml"
            try ManyProcessesTests.cluster.write(toFile: clusterFile, atomically: true, encoding: .utf8)
            let pveSim = try ChildProcess(
                CommandLineTests.binary, ["pve-sim", "--config", clusterFile, "--port", "0", "--tls-folder", folder + "/pve"], in: folder)
            processes.append(pveSim)
            let backing = try await ServersForProcesses.make(
                "sentinel",
                adding: [
                    "LABGATE_REDIS_SENTINELS": "\(redis.sentinel.host):\(redis.sentinel.port)", "LABGATE_REDIS_MASTER_NAME": RedisSentinelSet.masterName,
                    "LABGATE_REDIS_PASSWORD": redis.password, "LABGATE_REDIS_KEY_PREFIX": TestServers.uniquePrefix(),
                    "LABGATE_LOG_LEVEL": "notice", "LABGATE_LOG_FORMAT": "json", "LABGATE_LTI_ALLOW_INSECURE_LOOPBACK": "true",
                    "LABGATE_PROXMOX_URL": try await ManyProcessesTests.servingURL(of: pveSim), "LABGATE_PROXMOX_TOKEN_ID": "labgate@pve!many",
                    "LABGATE_PROXMOX_TOKEN_SECRET": "a-secret-for-the-many-processes-test", "LABGATE_PROXMOX_TRUST": "ca",
                    "LABGATE_PROXMOX_CA_FILE": folder + "/pve/pve-root-ca.pem", "LABGATE_PROVISIONING_RECONCILE_INTERVAL_SECONDS": "5",
                    // What the failover loses (a second of writes at most) is repaired by the reconciler, after this.
                    "LABGATE_PROVISIONING_STUCK_AFTER_MINUTES": "1",
                ])
            let environment = backing.environment
            var urls: [String] = []
            for _ in 0..<2 {
                let (server, url, ready) = try await CommandLineTests.serving(in: folder, environment: environment, publicURL: true)
                processes.append(server)
                urls.append(url)
                try #require(ready, "\(server.errorOutput.suffix(2000))")
            }
            for _ in 0..<2 {
                let probe = LoopbackAddress.random()
                let own = ["LABGATE_SERVER_HOST": probe.host, "LABGATE_WORKER_PORT": String(probe.port)]
                processes.append(try ChildProcess(CommandLineTests.binary, ["worker"], in: folder, environment: environment.merging(own) { $1 }))
            }
            func rush(_ students: Int) throws -> ChildProcess {
                try ChildProcess(
                    CommandLineTests.binary,
                    ["bench", "rush", "--students", String(students), "--quota", "1000", "--settle-seconds", "300"] + urls.flatMap { ["--url", $0] },
                    in: folder, environment: environment)
            }

            // The failover comes once the first labs are ready, while the rest are still being made.
            let first = try rush(60)
            let database = try backing.database()
            let deadline = ContinuousClock.now + .seconds(120)
            var readyBefore = 0
            while ContinuousClock.now < deadline, first.isRunning, readyBefore < 1 {
                let rows = try await database.query("SELECT COUNT(*) AS n FROM lab_instances WHERE state = 'ready'", [])
                if case .int(let count)? = rows.first?["n"] { readyBefore = Int(count) }
                try await Task.sleep(for: .milliseconds(100))
            }
            await database.shutdown()
            let sentinel = redis.direct(redis.sentinel, sentinel: true)
            _ = try await sentinel.send("SENTINEL", "FAILOVER", RedisSentinelSet.masterName)
            await sentinel.shutdown()
            try await Task.sleep(for: .seconds(3))
            let second = try await ChildProcess.run(
                CommandLineTests.binary,
                ["bench", "rush", "--students", "30", "--quota", "1000", "--settle-seconds", "300"] + urls.flatMap { ["--url", $0] },
                in: folder, environment: environment)
            _ = await first.exitStatus()

            #expect(try await redis.currentPrimary() == redis.replica, "the Sentinel promoted the replica")
            #expect((1..<60).contains(readyBefore), "the failover came while the class's labs were being made (\(readyBefore) ready)")
            for (name, students, output, error) in [
                ("the class during the failover", 60, first.output, first.errorOutput), ("the class after it", 30, second.output, second.error),
            ] {
                let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
                print("Sentinel failover (forced with \(readyBefore) of 60 labs ready), \(name): \(line)")
                let figures = ManyProcessesTests.figures(line)
                for (key, value) in [
                    ("admitted", "\(students)"), ("errors", "0"), ("ready", "\(students)"), ("failed", "0"), ("transient", "0"), ("duplicates", "0"),
                    ("stray_vms", "0"), ("missing_desktops", "0"),
                ] {
                    #expect(figures[key] == value, "\(name): \(key) in \(line)\n\(error.suffix(1500))")
                }
            }
            for process in processes.dropFirst() { process.signal(SIGTERM) }
            for process in processes.dropFirst() { _ = await process.exitStatus() }
            try await backing.drop()
        } cleanup: {
            for process in processes { process.signal(SIGKILL) }
            await redis.stop()
        }
    }
}
