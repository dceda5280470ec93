import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import PlatformSim

extension LaunchBenchmark {
    /// The benchmark's browsers and platform against one server: logins, signatures, launches.
    struct Run: Sendable {
        let platform: PlatformSim
        let toolURL: String
        let client: HTTPClient
        let concurrency: Int
        let students: Int
        /// Whose CPU each phase reports as the gateway's and the storage's.
        let gatewayPIDs: [Int32]
        let storagePIDs: [Int32]

        /// `count` login initiations (timed), the platform's answers to them signed (off the
        /// clock, as Moodle signs before the browser posts), then the launches (timed).
        func launches(count: Int) async throws -> Result {
            let browsers = (0..<count).map { _ in SimBrowser(client: client) }
            let (redirects, logins) = await phase(Array(0..<count)) { index in
                let scenario = LaunchScenario(subject: "bench-student-\(index % students)", custom: ["environment": "bench"])
                let page = try await browsers[index].startLogin(scenario, platform: platform, toolURL: toolURL)
                guard page.status == 302, let location = page.header("location") else {
                    throw PlatformSimError.unexpectedResponse("login answered \(page.status): \(page.body.prefix(200))")
                }
                return location
            }
            let forms = try await sign(redirects)
            let (_, launches) = await phase(forms.keys.sorted()) { index in
                guard let form = forms[index] else { return }
                let page = try await browsers[index].submit(form)
                guard page.status == 303, page.header("location")?.hasPrefix("/labs/") == true else {
                    throw PlatformSimError.unexpectedResponse("launch answered \(page.status): \(page.body.prefix(200))")
                }
            }
            return Result(logins: logins, launches: launches)
        }

        /// `count` requests for `/healthz`, which touches neither store: what any request costs
        /// the server on this machine, against which a launch's cost is compared.
        func probes(count: Int) async -> Phase {
            // No cookies are involved: one browser on the shared client serves every connection.
            let browser = SimBrowser(client: client)
            return await phase(Array(0..<count)) { _ in
                let page = try await browser.get(toolURL + "/healthz")
                guard page.status == 200 else { throw PlatformSimError.unexpectedResponse("/healthz answered \(page.status)") }
            }.1
        }

        /// The platform's signed answers to the login redirects, on every core.
        private func sign(_ redirects: [Int: String]) async throws -> [Int: HTMLForm] {
            let chunks = Array(redirects).chunked(into: max(1, ProcessInfo.processInfo.activeProcessorCount))
            return try await withThrowingTaskGroup(of: [(Int, HTMLForm)].self) { group in
                for chunk in chunks {
                    group.addTask { try chunk.map { ($0.key, try platform.authorize(redirectedTo: $0.value)) } }
                }
                return try await group.reduce(into: [:]) { forms, signed in
                    for (index, form) in signed { forms[index] = form }
                }
            }
        }

        /// `work` for each of `items`, `concurrency` at a time, timed with the CPU each side used:
        /// what each item gave (nothing for those that failed) and the figures.
        private func phase<Output: Sendable>(_ items: [Int], _ work: @escaping @Sendable (Int) async throws -> Output) async -> ([Int: Output], Phase) {
            let next = NIOLockedValueBox(0)
            let clock = ContinuousClock()
            let generatorBefore = CPUTime.ofThisProcess()
            let gatewayBefore = CPUTime.of(gatewayPIDs)
            let storageBefore = CPUTime.of(storagePIDs)
            let start = clock.now
            let workers = await withTaskGroup(of: Worker<Output>.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var worker = Worker<Output>()
                        while true {
                            let position = next.withLockedValue { position in
                                defer { position += 1 }
                                return position
                            }
                            guard position < items.count else { return worker }
                            let began = clock.now
                            do {
                                worker.outputs[items[position]] = try await work(items[position])
                                worker.latencies.append(began.duration(to: clock.now))
                            } catch {
                                worker.errors += 1
                                worker.firstError = worker.firstError ?? "\(error)"
                            }
                        }
                    }
                }
                return await group.reduce(into: [Worker<Output>]()) { $0.append($1) }
            }
            var phase = Phase(elapsed: start.duration(to: clock.now))
            phase.generatorCPU = CPUTime.ofThisProcess() - generatorBefore
            phase.gatewayCPU = CPUTime.of(gatewayPIDs) - gatewayBefore
            phase.storageCPU = CPUTime.of(storagePIDs) - storageBefore
            var outputs: [Int: Output] = [:]
            for worker in workers {
                outputs.merge(worker.outputs) { $1 }
                phase.latencies += worker.latencies
                phase.errors += worker.errors
                phase.firstError = phase.firstError ?? worker.firstError
            }
            return (outputs, phase)
        }
    }

    /// What one browser of a phase did.
    private struct Worker<Output: Sendable>: Sendable {
        var outputs: [Int: Output] = [:]
        var latencies: [Duration] = []
        var errors = 0
        var firstError: String?
    }
}

extension Array {
    /// The elements dealt into `count` slices of nearly equal length.
    fileprivate func chunked(into count: Int) -> [[Element]] {
        (0..<count).map { slice in stride(from: slice, to: self.count, by: count).map { self[$0] } }
    }
}
