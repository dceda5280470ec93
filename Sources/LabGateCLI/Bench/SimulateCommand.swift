import ArgumentParser
import Foundation
import LabGate

/// `labgate simulate`: capacity planning against a simulated cluster.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Plan capacity: run the real provisioning code against a simulated Proxmox cluster.",
        subcommands: [Burst.self, Class.self]
    )

    /// `labgate simulate burst`.
    struct Burst: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What happens when a class clicks at once: every student requests a lab (twice, as a double click).",
            discussion: """
                Runs queue, workers, placement, clone limits and the lifecycle against PVESim on a throw-away SQLite \
                database, with the simulated clock --time-scale times faster. Ends with one line: ready=…/… makespan_s=… \
                bound_s=… p50_wait_s=… p95_wait_s=… max_wait_s=… ratio=… duplicates=… failures=… stuck=… unexplained=… orphans=… rss_mb=…, in simulated seconds from the first click (a wait: one student's click to their ready lab), where bound_s is the shortest \
                makespan the clone limits allow (clones first come, first served) plus one VM's start, guest-agent delay and snapshot.
                """
        )

        @Option(help: "Students who click.") var students: Int = 300
        @Option(help: "Seconds over which they arrive, evenly.") var within: Double = 10
        @Option(help: "Proxmox nodes.") var nodes: Int = 4
        @Option(name: .customLong("clone-seconds"), help: "How long one linked clone takes.") var cloneSeconds: Double = 8
        @Option(name: .customLong("clones-per-node"), help: "Clones a node runs at once (provisioning.maxClonesPerNode).") var clonesPerNode: Int = 4
        @Option(name: .customLong("time-scale"), help: "How much faster than real time the simulated cluster runs.") var timeScale: Double = 10
        @Option(help: "Worker processes (each with its own claim loop).") var workers: Int = 2
        @Option(name: .customLong("worker-concurrency"), help: "Jobs each worker runs at once (worker.concurrency).") var workerConcurrency: Int = 64
        @Option(
            name: .customLong("fault-rate"),
            help: "Share of Proxmox calls that run into trouble: 595s, lock timeouts, cut connections, failed tasks, slow guest agents.")
        var faultRate: Double = 0
        @Option(help: "Seeds the faults, so that a run can be repeated.") var seed: UInt64?

        func validate() throws {
            guard (1...100_000).contains(students) else { throw ValidationError("--students must be 1 to 100000") }
            guard within >= 0, within <= 86_400 else { throw ValidationError("--within must be 0 to 86400 seconds") }
            guard (1...64).contains(nodes) else { throw ValidationError("--nodes must be 1 to 64") }
            guard cloneSeconds > 0, cloneSeconds <= 3600 else { throw ValidationError("--clone-seconds must be above 0 and at most 3600") }
            guard (1...64).contains(clonesPerNode) else { throw ValidationError("--clones-per-node must be 1 to 64") }
            guard timeScale >= 1, timeScale <= 1000 else { throw ValidationError("--time-scale must be 1 to 1000") }
            guard (1...16).contains(workers), (1...1024).contains(workerConcurrency) else {
                throw ValidationError("--workers must be 1 to 16 and --worker-concurrency 1 to 1024")
            }
            guard (0...0.9).contains(faultRate) else { throw ValidationError("--fault-rate must be from 0 to 0.9") }
        }

        func run() async throws {
            let simulation = BurstSimulation(
                students: students, within: within, nodes: nodes, cloneSeconds: cloneSeconds, clonesPerNode: clonesPerNode,
                timeScale: timeScale, workers: workers, workerConcurrency: workerConcurrency, faultRate: faultRate, seed: seed)
            print(
                "simulating \(students) students over \(within) s on \(nodes) nodes × \(clonesPerNode) clones of \(cloneSeconds) s, time ×\(timeScale)"
                    + (faultRate > 0 ? ", trouble on \(Int(faultRate * 100)) % of Proxmox calls (seed \(seed.map(String.init) ?? "random"))" : ""))
            fflush(nil)
            let outcome = try await simulation.run()
            print(outcome)
            // Under faults labs may fail, with their reasons; without them every student gets one.
            if !outcome.holds || (faultRate == 0 && (outcome.ready < outcome.students || outcome.failures > 0)) { throw ExitCode(1) }
        }
    }

    /// `labgate simulate class`.
    struct Class: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Will the desktops be ready at 9:00, and at what cost? A class run with LabGate preparing it, then without.",
            discussion: """
                A roster of --students, a class --minutes long, arrivals spread over --within seconds after its start and a \
                --no-show share that never comes, on --nodes nodes; the real code (queue, worker, preparer, reconciler, lifecycle) \
                against PVESim, with LabGate's clock --time-scale times faster too. Each run ends with one line: students=… \
                prepared=… p50_wait_s=… p95_wait_s=… max_wait_s=… vm_hours=… vm_hours_min=… duplicates=… failures=…, where a \
                wait runs from a click to a working single-use link and vm_hours_min is what the class needs with no VM running \
                before its student arrives or after the class.
                """
        )

        @Option(help: "Students on the roster.") var students: Int = 300
        @Option(help: "Seconds after the start over which the present students arrive, evenly.") var within: Double = 10
        @Option(name: .customLong("no-show"), help: "The share of the roster that never comes (0 to 0.9).") var noShow: Double = 0.1
        @Option(help: "The class's length in minutes.") var minutes: Double = 60
        @Option(help: "Spares prepared for students not on the roster.") var spares: Int = 0
        @Option(help: "Proxmox nodes.") var nodes: Int = 4
        @Option(name: .customLong("clone-seconds"), help: "How long one linked clone takes.") var cloneSeconds: Double = 8
        @Option(name: .customLong("clones-per-node"), help: "Clones a node runs at once (provisioning.maxClonesPerNode).") var clonesPerNode: Int = 4
        @Option(name: .customLong("time-scale"), help: "How much faster than real time the cluster and LabGate's clock run.") var timeScale: Double = 20
        @Flag(name: .customLong("prepared-only"), help: "Only the run with preparation.") var preparedOnly = false

        func validate() throws {
            guard (1...5_000).contains(students) else { throw ValidationError("--students must be 1 to 5000") }
            guard within >= 0, within <= 3600 else { throw ValidationError("--within must be 0 to 3600 seconds") }
            guard (0...0.9).contains(noShow) else { throw ValidationError("--no-show must be from 0 to 0.9") }
            guard minutes >= 25, minutes <= 720 else { throw ValidationError("--minutes must be 25 to 720 (idle labs pause after 20)") }
            guard (0...500).contains(spares) else { throw ValidationError("--spares must be 0 to 500") }
            guard (1...64).contains(nodes), (2...64).contains(clonesPerNode) else {
                throw ValidationError("--nodes must be 1 to 64 and --clones-per-node 2 to 64 (one slot stays for live launches)")
            }
            guard cloneSeconds > 0, cloneSeconds <= 3600 else { throw ValidationError("--clone-seconds must be above 0 and at most 3600") }
            guard timeScale >= 1, timeScale <= 200 else { throw ValidationError("--time-scale must be 1 to 200") }
        }

        func run() async throws {
            let cluster = BurstSimulation(
                students: students, within: within, nodes: nodes, cloneSeconds: cloneSeconds, clonesPerNode: clonesPerNode, timeScale: timeScale,
                workers: 1, workerConcurrency: 64)
            for prepare in preparedOnly ? [true] : [true, false] {
                print(
                    "simulating a class of \(students) (\(Int(noShow * 100)) % never come) for \(Int(minutes)) minutes, arrivals over \(within) s, "
                        + "\(prepare ? "prepared with \(spares) spares" : "not prepared") on \(nodes) nodes × \(clonesPerNode) clones of \(cloneSeconds) s, time ×\(timeScale)"
                )
                fflush(nil)
                let outcome = try await ClassSimulation(
                    students: students, within: within, noShow: noShow, minutes: minutes, spares: spares, prepare: prepare, cluster: cluster
                ).run()
                print(outcome)
                fflush(nil)
                if outcome.duplicates > 0 || outcome.failures > 0 { throw ExitCode(1) }
            }
        }
    }
}
