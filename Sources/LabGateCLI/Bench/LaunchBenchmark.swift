import AsyncHTTPClient
import Foundation
import LTIGateway
import LabCore
import LabGate
import Logging
import NIOConcurrencyHelpers
import PlatformSim
import ServiceLifecycle

/// Full LTI launches against a LabGate server, in two timed phases, as a platform's users make
/// them: `launches` login initiations, then, once the platform has signed every answer off the
/// clock, the `launches` id_tokens posted; `concurrency` browsers at a time in each phase.
struct LaunchBenchmark {
    let config: LabGateConfig
    let concurrency: Int
    let launches: Int
    let students: Int
    /// A LabGate server that is already running on the same database, or nil to run one in this process.
    let serverURL: String?
    /// The running server's processes, whose CPU is the gateway's; ignored with a server in this process.
    let serverPIDs: [Int32]
    /// MariaDB's and Redis's processes, whose CPU is reported as the storage's.
    let storagePIDs: [Int32]

    /// What one timed phase measured.
    struct Phase {
        var errors = 0
        var firstError: String?
        var elapsed: Duration = .zero
        var latencies: [Duration] = []
        var gatewayCPU: Duration = .zero
        var storageCPU: Duration = .zero
        var generatorCPU: Duration = .zero

        /// Requests that went through: each has its latency.
        var done: Int { latencies.count }
        var perSecond: Int { Int((Double(done) / max(elapsed.timeInterval, 0.001)).rounded()) }

        func percentile(_ p: Double) -> String {
            let sorted = latencies.sorted()
            guard !sorted.isEmpty else { return "0" }
            return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].fractionalMilliseconds)
        }

        /// Milliseconds of `cpu` per request done.
        func milliseconds(per cpu: Duration) -> Double {
            cpu.fractionalMilliseconds / Double(max(done, 1))
        }

        /// The same, as the benchmark's line prints it.
        func perRequest(_ cpu: Duration) -> String {
            String(format: "%.3f", milliseconds(per: cpu))
        }
    }

    /// What one run measured.
    struct Result {
        var logins = Phase()
        var launches = Phase()
        var probes = Phase()
        /// Whether the server ran in this process, so that its CPU and the browsers' are one figure.
        var inProcess = false
        var storageMeasured = false
        var rssMB = 0

        var errors: Int { logins.errors + launches.errors + probes.errors }
        var firstError: String? { logins.firstError ?? launches.firstError ?? probes.firstError }

        /// The server's CPU per launch over its CPU per probe, from one run: a launch's cost in
        /// requests that do nothing, which stays comparable from one machine to another.
        var launchCPUInProbes: String {
            let perProbe = serverMilliseconds(probes)
            return String(format: "%.1f", perProbe > 0 ? serverMilliseconds(launches) / perProbe : 0)
        }

        /// The server's CPU per request of `phase`: the gateway's, or this process's when the server runs in it.
        private func serverMilliseconds(_ phase: Phase) -> Double {
            phase.milliseconds(per: inProcess ? phase.generatorCPU : phase.gatewayCPU)
        }

        var line: String {
            var fields = [
                "launches=\(launches.done)", "logins_per_s=\(logins.perSecond)", "launches_per_s=\(launches.perSecond)", "p50_ms=\(launches.percentile(0.5))",
                "p99_ms=\(launches.percentile(0.99))", "login_p99_ms=\(logins.percentile(0.99))", "errors=\(errors)",
            ]
            if inProcess {
                fields += [
                    "process_cpu_ms_per_login=\(logins.perRequest(logins.generatorCPU))",
                    "process_cpu_ms_per_launch=\(launches.perRequest(launches.generatorCPU))",
                    "process_cpu_ms_per_probe=\(probes.perRequest(probes.generatorCPU))",
                ]
            } else {
                fields += [
                    "gateway_cpu_ms_per_login=\(logins.perRequest(logins.gatewayCPU))",
                    "gateway_cpu_ms_per_launch=\(launches.perRequest(launches.gatewayCPU))",
                    "generator_cpu_ms_per_launch=\(launches.perRequest(launches.generatorCPU))",
                    "gateway_cpu_ms_per_probe=\(probes.perRequest(probes.gatewayCPU))",
                ]
            }
            fields.append("launch_cpu_in_probes=\(launchCPUInProbes)")
            if storageMeasured { fields.append("storage_cpu_ms_per_launch=\(launches.perRequest(launches.storageCPU))") }
            return (fields + ["rss_mb=\(rssMB)"]).joined(separator: " ")
        }
    }

    func run() async throws -> Result {
        let platform = try PlatformSim(clientID: "bench-client", deploymentID: "bench-deployment")
        return try await platform.serving {
            try await Backends.prepare(config, platform: platform, environment: Environment(name: "bench", title: "Benchmark lab"))
            if let serverURL { return try await drive(platform, toolURL: serverURL, gatewayPIDs: serverPIDs) }
            let app = try await buildApplication(config: config)
            let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "bench")))
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let outcome = await Swift.Result.capturing { try await drive(platform, toolURL: config.lti.publicURL, gatewayPIDs: []) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return try outcome.get()
            }
        }
    }

    /// The browsers, on one HTTP client, against the server at `toolURL`.
    private func drive(_ platform: PlatformSim, toolURL: String, gatewayPIDs: [Int32]) async throws -> Result {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                redirectConfiguration: .disallow, connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
        let outcome = await Swift.Result.capturing {
            try await waitUntilServing(toolURL, client: client)
            let run = Run(
                platform: platform, toolURL: toolURL, client: client, concurrency: concurrency, students: students, gatewayPIDs: gatewayPIDs,
                storagePIDs: storagePIDs)
            // Connections, pools and the platform's keys in LabGate's cache: what a server that has been up a while has.
            _ = try await run.launches(count: min(launches, concurrency * 20))
            var result = try await run.launches(count: launches)
            result.probes = await run.probes(count: launches)
            result.inProcess = serverURL == nil
            result.storageMeasured = !storagePIDs.isEmpty
            result.rssMB = Self.residentMegabytes()
            return result
        }
        try? await client.shutdown()
        return try outcome.get()
    }

    /// VmRSS of this process, from /proc.
    static func residentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes / 1024
    }
}
