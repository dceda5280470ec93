import ArgumentParser
import Foundation
import LabGate

/// `labgate bench`: load generators for capacity planning, like `pgbench`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure LabGate on this machine with its configured storage.",
        subcommands: [Launch.self, Rush.self]
    )

    /// `labgate bench launch`.
    struct Launch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive LTI logins and launches from an in-process test platform against a LabGate server.",
            discussion: """
                Uses the storage of the configuration (--config or lti-config/labgate.yaml): measure with MariaDB and Redis \
                for production figures. Registers a test platform and a `bench` environment in that database. After a warm-up, \
                times --launches login initiations, has the platform sign its answers off the clock, then times the launches, \
                then as many probes (GET /healthz, which touches no store). \
                Ends with one line: logins_per_s=… launches_per_s=… p50_ms=… p99_ms=… (of the launches) login_p99_ms=… \
                errors=…, then with --url gateway_cpu_ms_per_login=… gateway_cpu_ms_per_launch=… (the --server-pid processes) \
                generator_cpu_ms_per_launch=… (this process) gateway_cpu_ms_per_probe=…, or without process_cpu_ms_per_login=… \
                process_cpu_ms_per_launch=… process_cpu_ms_per_probe=… (server and browsers together); launch_cpu_in_probes=… \
                (a launch's CPU over a probe's, which compares across machines); storage_cpu_ms_per_launch=… with --storage-pid; \
                rss_mb=… (this process).
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "Browsers at once.") var concurrency: Int = 16
        @Option(help: "Logins, then launches, to time.") var launches: Int = 20000
        @Option(help: "Distinct students the browsers launch as.") var students: Int = 500
        @Option(
            help: ArgumentHelp(
                "Drive a LabGate server that is already running on the same database (its lti.allowInsecureLoopback must be true), instead of one in this process.",
                valueName: "url"))
        var url: String?
        @Option(help: ArgumentHelp("The process id of the --url server, whose CPU time is the gateway's; repeat for several.", valueName: "pid"))
        var serverPid: [Int32] = []
        @Option(help: ArgumentHelp("The process id of MariaDB or Redis, whose CPU time is the storage's; repeat for several.", valueName: "pid"))
        var storagePid: [Int32] = []

        func validate() throws {
            guard (1...4096).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 4096") }
            guard (1...1_000_000).contains(launches) else { throw ValidationError("--launches must be from 1 to 1000000") }
            guard (1...1_000_000).contains(students) else { throw ValidationError("--students must be from 1 to 1000000") }
            guard url != nil || serverPid.isEmpty else { throw ValidationError("--server-pid names the process of a --url server") }
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
                config: config, concurrency: concurrency, launches: launches, students: students,
                serverURL: url.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, serverPIDs: serverPid, storagePIDs: storagePid
            ).run()
            if let firstError = result.firstError {
                FileHandle.standardError.write(Data("labgate bench: \(result.errors) failed logins or launches; the first: \(firstError)\n".utf8))
            }
            print(result.line)
        }
    }

    /// `labgate bench rush`.
    struct Rush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A class clicking at the same instant: one launch per student, in one course with a quota, against running LabGate servers.",
            discussion: """
                Each --url is a `labgate serve` on the configuration's database and ephemeral store (its lti.allowInsecureLoopback \
                must be true); students go to them in turn. Login initiations and the platform's signatures are done before the \
                clock starts. Every browser follows LabGate's busy pages as a real one would. Ends with one line: students=… labs=… \
                admitted=… refused=… busy_pages=… not_html=… errors=… p50_ms=… p99_ms=… max_ms=… (from the click to the last answer) \
                generator_cpu_s=… server_cpu_s=… (this process, and the --server-pid processes, during the rush). With \
                --settle-seconds it then waits for every lab to be ready or failed and adds: ready=… failed=… transient=… \
                vms=… (clones in LabGate's VMID range on proxmox.url) duplicates=… stray_vms=… (clones no lab holds) \
                missing_desktops=… (ready labs without their Guacamole connection) settle_s=….
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "Students who click at once.") var students: Int = 500
        @Option(help: "Labs the course's quota allows.") var quota: Int = 30
        @Option(help: ArgumentHelp("A running LabGate server; repeat for several.", valueName: "url")) var url: [String] = []
        @Option(help: ArgumentHelp("The process id of a server, whose CPU time is reported; repeat for several.", valueName: "pid"))
        var serverPid: [Int32] = []
        @Option(help: "After the rush, wait up to this many seconds for the labs to be ready or failed, then count how they ended.")
        var settleSeconds: Int?

        func validate() throws {
            guard !url.isEmpty else { throw ValidationError("name at least one running server with --url") }
            guard settleSeconds.map({ (1...7200).contains($0) }) ?? true else { throw ValidationError("--settle-seconds must be from 1 to 7200") }
            guard (1...5000).contains(students) else { throw ValidationError("--students must be from 1 to 5000") }
            guard (1...100_000).contains(quota) else { throw ValidationError("--quota must be from 1 to 100000") }
        }

        func run() async throws {
            let config = try options.load(overrides: ["log.level": ("warning", "bench")])
            LoggingSetup.bootstrap(config)
            let result = try await RushBenchmark(
                config: config, serverURLs: url.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, students: students, quota: quota,
                serverPIDs: serverPid, settleWithin: settleSeconds.map { .seconds($0) }
            ).run()
            if let firstError = result.firstError {
                FileHandle.standardError.write(Data("labgate bench: \(result.errors) unexpected answers; the first: \(firstError)\n".utf8))
            }
            if let failure = result.settlement?.firstFailure {
                FileHandle.standardError.write(Data("labgate bench: \(result.settlement?.failed ?? 0) labs failed; the first: \(failure)\n".utf8))
            }
            print(result.line)
        }
    }
}
