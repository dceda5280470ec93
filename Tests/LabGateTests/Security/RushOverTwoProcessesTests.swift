import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("A class that clicks at once, over two processes", .enabled(if: TestConfig.serversUnderTest))
struct RushOverTwoProcessesTests {
    @Test(
        "500 students at once in a course with quota 30, through two serve processes on one MariaDB and Redis: 30 labs, every answer an HTML page or a redirect"
    )
    func fiveHundredStudents() async throws {
        let backing = try await ServersForProcesses.make("rush", adding: ["LABGATE_LOG_LEVEL": "warning", "LABGATE_LTI_ALLOW_INSECURE_LOOPBACK": "true"])
        let environment = backing.environment
        let folder = try StartupSafetyTests.scratchFolder()
        var servers: [(server: ChildProcess, url: String)] = []
        defer {
            for (server, _) in servers { server.signal(SIGKILL) }
        }
        for _ in 0..<2 {
            let (server, url, ready) = try await CommandLineTests.serving(in: folder, environment: environment, publicURL: true)
            servers.append((server, url))
            try #require(ready, "\(server.errorOutput.suffix(2000))")
        }

        let bench = try await ChildProcess.run(
            CommandLineTests.binary,
            ["bench", "rush", "--students", "500", "--quota", "30"] + servers.flatMap { ["--url", $0.url, "--server-pid", String($0.server.pid)] },
            in: folder, environment: environment)
        #expect(bench.status == 0, "\(bench.error.suffix(2000))")
        let line = bench.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // The figures, for the record of the run (the timing is the benchmark's, not asserted).
        print("labgate bench rush: \(line)")
        let figures = Dictionary(
            line.split(separator: " ").compactMap { pair -> (String, String)? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }
        ) { $1 }
        #expect(figures["students"] == "500", "\(line)")
        #expect(figures["labs"] == "30", "\(line)")
        #expect(figures["admitted"] == "30", "\(line)")
        #expect(figures["refused"] == "470", "\(line)")
        #expect(figures["not_html"] == "0", "\(line)")
        #expect(figures["errors"] == "0", "\(line)\n\(bench.error.suffix(2000))")

        for (server, _) in servers { server.signal(SIGTERM) }
        for (server, _) in servers { _ = await server.exitStatus() }
        try await backing.drop()
    }
}
