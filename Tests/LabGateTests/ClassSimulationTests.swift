import Foundation
import Testing

@testable import LabGateCLI

/// `labgate simulate class`, small: preparing the class makes the waits short for a bounded
/// cost. Run alone by scripts/test.sh, as its clock runs 100 times faster than the machine's.
@Suite("labgate simulate class")
struct ClassSimulationTests {
    @Test("prepared, every present student opens a lab within seconds; not prepared, they wait for clones; nothing doubled or failed")
    func preparedAgainstNot() async throws {
        let cluster = BurstSimulation(
            students: 12, within: 5, nodes: 2, cloneSeconds: 8, clonesPerNode: 2, timeScale: 100, workers: 1, workerConcurrency: 64)
        func run(prepare: Bool) async throws -> ClassSimulation.Outcome {
            try await ClassSimulation(students: 12, within: 5, noShow: 0.25, minutes: 25, spares: 1, prepare: prepare, cluster: cluster).run()
        }
        let prepared = try await run(prepare: true)
        #expect(prepared.prepared == 13, "every student on the roster and a spare: \(prepared)")
        #expect(prepared.waits.count == 9 && prepared.duplicates == 0 && prepared.failures == 0, "a quarter never came: \(prepared)")
        #expect((prepared.waits.last ?? 99) <= 10, "\(prepared)")
        #expect(prepared.vmHours >= prepared.vmHoursMin && prepared.vmHours <= prepared.vmHoursMin * 1.6, "\(prepared)")

        let unprepared = try await run(prepare: false)
        #expect(unprepared.prepared == 0 && unprepared.waits.count == 9 && unprepared.duplicates == 0 && unprepared.failures == 0, "\(unprepared)")
        #expect((unprepared.waits.first ?? 0) >= 8, "without preparation the first student waits for a clone at least: \(unprepared)")
        #expect(unprepared.vmHours < prepared.vmHours, "preparing costs VM time: \(prepared) against \(unprepared)")
        #expect(prepared.description.hasPrefix("students=12 prepared=13 p50_wait_s="))
    }
}
