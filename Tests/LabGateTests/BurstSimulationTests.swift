import Foundation
import Testing

@testable import LabGateCLI

/// `labgate simulate burst`, small: its figures hang together. Run alone by scripts/test.sh:
/// its simulated clock runs 20 times faster than the machine's, which other tests would slow.
@Suite("labgate simulate burst")
struct BurstSimulationTests {
    @Test("every student gets one lab; each wait runs from their click, so none is longer than the makespan from the first click")
    func waits() async throws {
        let simulation = BurstSimulation(
            students: 24, within: 4, nodes: 2, cloneSeconds: 8, clonesPerNode: 2, timeScale: 20, workers: 1, workerConcurrency: 32)
        let outcome = try await simulation.run()
        #expect(outcome.ready == 24 && outcome.duplicates == 0 && outcome.failures == 0, "\(outcome)")
        #expect(outcome.waits.count == 24)
        #expect(outcome.wait(0.5) <= outcome.wait(0.95) && outcome.wait(0.95) <= outcome.waits.last ?? 0)
        #expect((outcome.waits.last ?? 0) <= outcome.makespan + 1, "\(outcome)")
        // Six rounds of four clones of 8 s, the arrivals spread over 4 s: the last students wait four rounds longer than the first.
        #expect((outcome.waits.last ?? 0) - (outcome.waits.first ?? 0) >= 8 * 4 - 4, "\(outcome)")
        #expect(outcome.makespan >= outcome.bound * 0.99, "no run beats the clone limits' bound: \(outcome)")
        #expect(outcome.description.contains("p95_wait_s="))
    }
}
