import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("labgate bench launch against a serve process", .enabled(if: TestConfig.serversUnderTest))
struct LaunchBenchmarkTests {
    @Test("every login, launch and probe timed goes through, and the gateway's CPU is told apart from the load generator's")
    func measuresTheGatewayApart() async throws {
        let backing = try await ServersForProcesses.make(
            "launchbench", adding: ["LABGATE_LOG_LEVEL": "warning", "LABGATE_LTI_ALLOW_INSECURE_LOOPBACK": "true"])
        let folder = try StartupSafetyTests.scratchFolder()
        let (server, url, ready) = try await CommandLineTests.serving(in: folder, environment: backing.environment, publicURL: true)
        defer { server.signal(SIGKILL) }
        try #require(ready, "\(server.errorOutput.suffix(2000))")

        let bench = try await ChildProcess.run(
            CommandLineTests.binary, ["bench", "launch", "--launches", "300", "--concurrency", "8", "--url", url, "--server-pid", String(server.pid)],
            in: folder, environment: backing.environment)
        #expect(bench.status == 0, "\(bench.error.suffix(2000))")
        let line = bench.output.trimmingCharacters(in: .whitespacesAndNewlines)
        print("labgate bench launch: \(line)")
        let figures = ManyProcessesTests.figures(line).compactMapValues(Double.init)
        #expect(figures["launches"] == 300, "\(line)")
        #expect(figures["errors"] == 0, "\(line)\n\(bench.error.suffix(2000))")
        #expect((figures["launches_per_s"] ?? 0) > 0 && (figures["logins_per_s"] ?? 0) > 0, "\(line)")
        // Both sides did work, and each is measured on its own process (the figures are the benchmark's, not asserted).
        #expect((figures["gateway_cpu_ms_per_launch"] ?? 0) > 0 && (figures["gateway_cpu_ms_per_login"] ?? 0) > 0, "\(line)")
        #expect((figures["generator_cpu_ms_per_launch"] ?? 0) > 0, "\(line)")
        // The probes (GET /healthz) ran too, and a launch's CPU is given in theirs.
        #expect((figures["gateway_cpu_ms_per_probe"] ?? 0) > 0 && (figures["launch_cpu_in_probes"] ?? 0) > 0, "\(line)")

        server.signal(SIGTERM)
        _ = await server.exitStatus()
        try await backing.drop()
    }
}
