import Foundation
import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// A Redis primary, its replica and a Sentinel watching them under the name `labgate`, as
/// Debian's redis-server and redis-sentinel run them, on loopback, in a folder of their own.
/// The Sentinel decides alone (quorum 1) and calls a primary down after one silent second.
public final class RedisSentinelSet: @unchecked Sendable {
    // @unchecked: the fields are set once in init and only read afterwards.
    public let primary: RedisAddress
    public let replica: RedisAddress
    public let sentinel: RedisAddress
    public let password: String
    /// With TLS, every port (the servers', the Sentinel's) speaks TLS only, with the test
    /// authority's certificate, and the Sentinel and the replica speak it to the primary.
    public let tls: ServerTLS?
    public static let masterName = "labgate"
    private let processes: [ChildProcess]
    private let folder: URL

    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-sentinel") || TestServers.isCI
    }

    /// - Parameter tls: in TLS only, with the certificate scripts/test-servers.sh made for the test servers.
    public init(tls: Bool = false) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let password = UUID().uuidString
        let ports = Set((0..<3).map { _ in LoopbackAddress.random().port })
        guard ports.count == 3 else { throw ChildProcessError(message: "two random ports were the same; run again") }
        let addresses = ports.sorted().map { RedisAddress(host: "127.0.0.1", port: $0) }
        let (primary, replica, sentinel) = (addresses[0], addresses[1], addresses[2])
        var tlsOptions: [(String, String)] = []
        if tls {
            guard let authority = TestServers.authority else {
                throw TestServerMissing(name: "Redis over TLS", hint: "run the tests through scripts/test.sh, which makes the test certificates")
            }
            let folder = URL(fileURLWithPath: authority).deletingLastPathComponent()
            tlsOptions = [
                ("tls-cert-file", folder.appendingPathComponent("server.pem").path), ("tls-key-file", folder.appendingPathComponent("server-key.pem").path),
                ("tls-ca-cert-file", authority), ("tls-auth-clients", "no"), ("tls-replication", "yes"),
            ]
        }
        self.tls = tls ? ServerTLS(caFile: TestServers.authority) : nil
        // The port option: plain, or TLS only.
        func listen(_ address: RedisAddress) -> [(String, String)] {
            tls ? [("port", "0"), ("tls-port", String(address.port))] + tlsOptions : [("port", String(address.port))]
        }

        func server(_ address: RedisAddress, _ extra: [String]) throws -> ChildProcess {
            let dir = folder.appendingPathComponent(String(address.port))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return try ChildProcess(
                "/usr/bin/redis-server",
                listen(address).flatMap { ["--\($0.0)", $0.1] }
                    + [
                        "--bind", address.host, "--dir", dir.path, "--requirepass", password, "--masterauth", password,
                        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--replica-announce-ip", address.host,
                    ] + extra)
        }
        var started = [try server(primary, [])]
        do {
            started.append(try server(replica, ["--replicaof", primary.host, String(primary.port)]))
            let configuration = folder.appendingPathComponent("sentinel.conf")
            try """
            \(listen(sentinel).map { "\($0.0) \($0.1)" }.joined(separator: "\n"))
            bind \(sentinel.host)
            dir \(folder.path)
            sentinel monitor \(Self.masterName) \(primary.host) \(primary.port) 1
            sentinel auth-pass \(Self.masterName) \(password)
            sentinel down-after-milliseconds \(Self.masterName) 1000
            sentinel failover-timeout \(Self.masterName) 10000

            """.write(to: configuration, atomically: true, encoding: .utf8)
            started.append(try ChildProcess("/usr/bin/redis-sentinel", [configuration.path]))
        } catch {
            for process in started { process.signal(SIGKILL) }
            throw error
        }
        (self.folder, self.password, self.processes) = (folder, password, started)
        (self.primary, self.replica, self.sentinel) = (primary, replica, sentinel)
        try await waitUntilWatched()
    }

    /// Settings for a LabGate client that finds the primary through the Sentinel.
    public func settings(prefix: String = TestServers.uniquePrefix()) -> RedisSettings {
        RedisSettings(
            password: password, poolSize: 8, timeout: .seconds(2), acquireTimeout: .seconds(10), keyPrefix: prefix, sentinels: [sentinel],
            masterName: Self.masterName, tls: tls)
    }

    /// A client of one server, bypassing the Sentinel (to look, or to give the Sentinel an order).
    public func direct(_ address: RedisAddress, sentinel: Bool = false) -> RedisClient {
        RedisClient(
            settings: RedisSettings(host: address.host, port: address.port, password: sentinel ? nil : password, poolSize: 1, keyPrefix: "", tls: tls))
    }

    /// Where the Sentinel says the primary is now.
    public func currentPrimary() async throws -> RedisAddress? {
        let client = direct(sentinel, sentinel: true)
        defer { Task { await client.shutdown() } }
        let parts = try await client.send("SENTINEL", "get-master-addr-by-name", Self.masterName).array.compactMap(\.string)
        return parts.count == 2 ? RedisAddress("\(parts[0]):\(parts[1])") : nil
    }

    /// Stops the servers and removes their folder.
    public func stop() async {
        for process in processes { process.signal(SIGKILL) }
        for process in processes { _ = await process.exitStatus() }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Until the replica has copied the primary and the Sentinel knows the replica (it reads
    /// the primary's INFO every few seconds): only then can it fail over.
    private func waitUntilWatched() async throws {
        let sentinelClient = direct(sentinel, sentinel: true)
        let replicaClient = direct(replica)
        defer {
            Task {
                await sentinelClient.shutdown()
                await replicaClient.shutdown()
            }
        }
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline {
            let linked = (try? await replicaClient.send("INFO", "replication").string)?.contains("master_link_status:up") == true
            let known = (try? await sentinelClient.send("SENTINEL", "replicas", Self.masterName).array.count) ?? 0
            if linked && known == 1 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        await stop()
        throw ChildProcessError(message: "the replica or the Sentinel did not come up within 40 s (see \(folder.path))")
    }
}
