import Foundation
import Storage
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Processes that start together on a fresh install", .enabled(if: TestConfig.serversUnderTest))
struct FirstStartRaceTests {
    @Test("4 serve processes started at the same instant on an empty MariaDB: one secret, one key set, identical JWKS from each")
    func fourAtOnce() async throws {
        let backing = try await ServersForProcesses.make("race")
        let environment = backing.environment
        let folder = try StartupSafetyTests.scratchFolder()
        let addresses = (0..<4).map { _ in LoopbackAddress.random() }
        let servers = try addresses.map {
            try ChildProcess(
                CommandLineTests.binary, ["serve"], in: folder,
                environment: environment.merging(["LABGATE_SERVER_HOST": $0.host, "LABGATE_SERVER_PORT": String($0.port)]) { $1 })
        }
        defer {
            for server in servers { server.signal(SIGKILL) }
        }
        var keySets: [String] = []
        for (server, address) in zip(servers, addresses) {
            var keys: (status: Int, body: String)?
            let deadline = ContinuousClock.now + .seconds(30)
            while keys?.status != 200, server.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                keys = try? await CommandLineTests.get(address.url, path: "/lti/jwks")
            }
            #expect(keys?.status == 200, "\(server.errorOutput.suffix(2000))")
            keySets.append(keys?.body ?? "")
        }
        #expect(Set(keySets).count == 1, "\(keySets)")
        let kids = try JSONSerialization.jsonObject(with: Data(keySets[0].utf8)) as? [String: [[String: Any]]]
        #expect(kids?["keys"]?.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/var").filter { $0.hasPrefix("secret.key") } == ["secret.key"])
        for server in servers { server.signal(SIGTERM) }
        for server in servers { _ = await server.exitStatus() }
        let database = try backing.database()
        let rows = try await database.query("SELECT COUNT(*) AS n FROM tool_keys", [])
        #expect(rows.first?["n"] == .int(1))
        await database.shutdown()
        try await backing.drop()
    }
}
