import AsyncHTTPClient
import Foundation
import LTIGateway
import LabCore
import LabGate
import Logging
import NIOConcurrencyHelpers
import PlatformSim
import ServiceLifecycle

/// Full LTI launches against a LabGate server, as fast as `concurrency` browsers can go:
/// login initiation, the platform's signed id_token, the verified launch, the lab request.
struct LaunchBenchmark {
    let config: LabGateConfig
    let concurrency: Int
    let seconds: Int
    let students: Int

    /// What one run measured.
    struct Result {
        var launches: Int
        var errors: Int
        var elapsed: Duration
        var latencies: [Duration]
        var rssMB: Int
        var firstError: String?

        var line: String {
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "0" }
                let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
                return String(format: "%.2f", value.fractionalMilliseconds)
            }
            let rate = Double(launches) / max(Double(elapsed.nanoseconds) / 1e9, 0.001)
            return "launches_per_s=\(Int(rate.rounded())) p50_ms=\(percentile(0.5)) p99_ms=\(percentile(0.99)) errors=\(errors) rss_mb=\(rssMB)"
        }
    }

    /// A LabGate server that is already running on the same database, or nil to run one in this process.
    let serverURL: String?

    func run() async throws -> Result {
        let platform = try PlatformSim(clientID: "bench-client", deploymentID: "bench-deployment")
        return try await platform.serving {
            try await Backends.prepare(config, platform: platform, environment: Environment(name: "bench", title: "Benchmark lab"))
            if let serverURL { return try await drive(platform, toolURL: serverURL) }
            let app = try await buildApplication(config: config)
            let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "bench")))
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let outcome = await Swift.Result.capturing { try await drive(platform, toolURL: config.lti.publicURL) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return try outcome.get()
            }
        }
    }

    /// The browsers, on one HTTP client, against the server at `toolURL`.
    private func drive(_ platform: PlatformSim, toolURL: String) async throws -> Result {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                redirectConfiguration: .disallow, connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
        let outcome = await Swift.Result.capturing {
            try await waitUntilServing(toolURL, client: client)
            return try await measure(platform: platform, toolURL: toolURL, client: client)
        }
        try? await client.shutdown()
        return try outcome.get()
    }

    private func measure(platform: PlatformSim, toolURL: String, client: HTTPClient) async throws -> Result {
        let clock = ContinuousClock()
        let warmUpEnd = clock.now + .seconds(1)
        let end = warmUpEnd + .seconds(seconds)
        let firstError = NIOLockedValueBox<String?>(nil)
        let perBrowser = try await withThrowingTaskGroup(of: ([Duration], Int).self) { group in
            for browserNumber in 0..<concurrency {
                group.addTask {
                    let browser = SimBrowser(client: client)
                    var latencies: [Duration] = []
                    var errors = 0
                    var iteration = 0
                    // Bounded: at most one launch per millisecond of the run per browser.
                    while clock.now < end, iteration < (seconds + 1) * 1000 {
                        let student = (browserNumber + iteration * concurrency) % students
                        iteration += 1
                        let scenario = LaunchScenario(subject: "bench-student-\(student)", custom: ["environment": "bench"])
                        browser.cookieJar = [:]
                        let start = clock.now
                        do {
                            let page = try await browser.launch(scenario, platform: platform, toolURL: toolURL, direct: true)
                            guard page.status == 303, page.header("location")?.hasPrefix("/labs/") == true else {
                                throw PlatformSimError.unexpectedResponse("launch answered \(page.status): \(page.body.prefix(200))")
                            }
                            if start >= warmUpEnd { latencies.append(start.duration(to: clock.now)) }
                        } catch {
                            if start >= warmUpEnd { errors += 1 }
                            firstError.withLockedValue { $0 = $0 ?? "\(error)" }
                        }
                    }
                    return (latencies, errors)
                }
            }
            return try await group.reduce(into: [([Duration], Int)]()) { $0.append($1) }
        }
        let latencies = perBrowser.flatMap(\.0)
        return Result(
            launches: latencies.count, errors: perBrowser.map(\.1).reduce(0, +), elapsed: warmUpEnd.duration(to: clock.now),
            latencies: latencies, rssMB: Self.residentMegabytes(), firstError: firstError.withLockedValue { $0 })
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
