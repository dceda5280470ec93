import Foundation
import GuacBridge
import LabCore
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

/// Idle pausing as the teacher and the student see it, with the server's own reconciler.
@Suite("Idle pausing on the pages")
struct IdlePausingPageTests {
    /// Makes the ready lab look as if it had been ready for `minutes`, as the reconciler will find it.
    static func backdate(_ id: LabInstanceID, by minutes: Double, in bed: LTITestbed) async throws {
        var instance = try #require(try await bed.repositories.instances.find(id: id))
        instance.updatedAt = instance.updatedAt.addingTimeInterval(-minutes * 60)
        _ = try await bed.repositories.instances.save(instance)
    }

    /// Waits for the server's reconciler to find the lab idle and its stop to end.
    static func waitUntilPaused(_ id: LabInstanceID, in bed: LTITestbed) async throws -> LabInstance {
        try await TeachingTests.waitUntil(.stopped, id, in: bed, timeout: LTITestbed.backgroundPassTimeout)
    }

    @Test(
        "the teacher's table says connected while Guacamole has a session open and idle since when not; a lab left idle is paused, and its page says why and starts it again"
    )
    func connectedIdlePaused() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100", "provisioning.reconcileIntervalSeconds": "5"]) { (bed) async throws in
            let path = try await LabHomeTests.readyLab(bed, checks: [], checkpoints: 1)
            let id = LabInstanceID(String(path.split(separator: "/").last ?? ""))
            let lab = try #require(try await bed.repositories.instances.find(id: id))
            try await bed.withOtherBrowser { (teacher) async throws in
                let (_, page) = try await TeachingTests.teach(bed, in: teacher)
                let rowsURL = bed.toolURL + (page.body.firstMatch(of: /data-refresh="([^"]+)"/).map { String($0.1) } ?? "")
                #expect(try await teacher.get(rowsURL).body.contains("idle since"))

                try await GuacamoleSchema.recordSession(
                    connection: id.rawValue, username: GuacBridge.username(of: lab.userID), start: Date(), in: bed.guacamoleDatabase)
                #expect(try await teacher.get(rowsURL).body.contains(#"class="use">connected"#))
                // A session open now keeps the lab, however long it has been ready (within its longest session).
                try await Self.backdate(id, by: 30, in: bed)
                try await Task.sleep(for: .seconds(6))
                #expect(try await bed.repositories.instances.find(id: id)?.state == .ready)

                // The student closed the desktop 25 minutes ago.
                try await bed.guacamoleDatabase.execute("DELETE FROM guacamole_connection_history", [])
                try await GuacamoleSchema.recordSession(
                    connection: id.rawValue, username: GuacBridge.username(of: lab.userID), start: Date() - 40 * 60, end: Date() - 25 * 60,
                    in: bed.guacamoleDatabase)
                try await Self.backdate(id, by: 30, in: bed)
                let paused = try await Self.waitUntilPaused(id, in: bed)
                #expect(paused.pauseReason == "after 20 minutes without use")
                #expect(try await teacher.get(rowsURL).body.contains("paused after 20 minutes without use"))
            }
            let waiting = try await bed.browser.get(bed.toolURL + path)
            #expect(waiting.body.contains("Your lab was paused after 20 minutes without use.") && waiting.body.contains("Start my lab"))
            let start = try await bed.browser.post(bed.toolURL + path + "/start", fields: [("csrf", try TeachingTests.csrf(in: waiting))])
            #expect(start.status == 303)
            let again = try await TeachingTests.waitUntil(.ready, id, in: bed)
            #expect(again.pauseReason == nil)
        }
    }
}
