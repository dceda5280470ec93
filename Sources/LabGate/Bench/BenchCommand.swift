import ArgumentParser
import Foundation

/// `labgate bench`: load generators for capacity planning, like `pgbench`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure LabGate on this machine with its configured storage.",
        subcommands: [Launch.self]
    )

    /// `labgate bench launch`.
    struct Launch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive full LTI login + launch round trips from an in-process test platform against an in-process LabGate server.",
            discussion: """
                Uses the storage of the configuration (--config or lti-config/labgate.yaml): measure with MariaDB and Redis \
                for production figures. Registers a test platform and a `bench` environment in that database. Ends with one line: \
                launches_per_s=… p50_ms=… p99_ms=… errors=… rss_mb=… (RSS of this process: server, platform and clients together).
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "Browsers launching at once.") var concurrency: Int = 32
        @Option(help: "How long to measure, after a one-second warm-up.") var seconds: Int = 10
        @Option(help: "Distinct students the browsers launch as.") var students: Int = 500
        @Option(help: ArgumentHelp(
            "Drive a LabGate server that is already running on the same database (its lti.allowInsecureLoopback must be true), instead of one in this process.",
            valueName: "url"))
        var url: String?

        func validate() throws {
            guard (1...4096).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 4096") }
            guard (1...3600).contains(seconds) else { throw ValidationError("--seconds must be from 1 to 3600") }
            guard (1...1_000_000).contains(students) else { throw ValidationError("--students must be from 1 to 1000000") }
        }

        func run() async throws {
            var overrides: [String: (value: String, option: String)] = ["log.level": ("warning", "bench")]
            if url == nil {
                let port = try freeLoopbackPort()
                overrides["server.host"] = ("127.0.0.1", "bench")
                overrides["server.port"] = (String(port), "bench")
                overrides["lti.publicUrl"] = ("http://127.0.0.1:\(port)", "bench")
                overrides["lti.allowInsecureLoopback"] = ("true", "bench")
            }
            var config = try options.load(overrides: overrides)
            // Launches are measured, not provisioning: the lab requests wait in the queue.
            config.workerInProcess = false
            LoggingSetup.bootstrap(config)
            let result = try await LaunchBenchmark(
                config: config, concurrency: concurrency, seconds: seconds, students: students,
                serverURL: url.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }).run()
            if let firstError = result.firstError {
                FileHandle.standardError.write(Data("labgate bench: \(result.errors) failed launches; the first: \(firstError)\n".utf8))
            }
            print(result.line)
        }
    }
}
