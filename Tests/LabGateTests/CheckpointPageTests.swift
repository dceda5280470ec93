import Foundation
import LabCore
import PlatformSim
import Testing

@testable import LabGate

/// Checkpoints as the student uses them on the lab's page, and as the teacher sees them.
@Suite("Checkpoints on the lab's page")
struct CheckpointPageTests {
    @Test(
        "the page saves a named checkpoint, lists it with its time, says what going back loses, goes back and deletes; the limit and bad names are said; and the teacher sees it (the authorization matrix covers who else may ask)"
    )
    func saveGoBackDelete() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let path = try await LabHomeTests.readyLab(bed, checks: [], checkpoints: 1)
            let id = LabInstanceID(String(path.split(separator: "/").last ?? ""))
            let home = try await bed.browser.get(bed.toolURL + path)
            #expect(home.status == 200, "a lab with checkpoints has a page of its own, not straight the desktop")
            #expect(home.body.contains("Save a checkpoint") && home.body.contains("No checkpoint yet"))
            let csrf = try TeachingTests.csrf(in: home)

            #expect(try await bed.browser.post(bed.toolURL + path + "/checkpoints", fields: [("csrf", "forged"), ("label", "x")]).status == 403)
            let unnamed = try await bed.browser.post(bed.toolURL + path + "/checkpoints", fields: [("csrf", csrf), ("label", "  ")])
            #expect(unnamed.header("location") == path + "?notice=checkpoint-label")
            #expect(try await bed.browser.get(bed.toolURL + path + "?notice=checkpoint-label").body.contains("Give the checkpoint a name"))

            let saved = try await bed.browser.post(bed.toolURL + path + "/checkpoints", fields: [("csrf", csrf), ("label", "<b>before</b> step 3")])
            #expect(saved.status == 303 && saved.header("location") == path + "?then=page", "the waiting page comes back to the lab's page")
            _ = try await TeachingTests.waitUntil(.ready, id, in: bed)
            let checkpoint = try #require(try await bed.repositories.checkpoints.list(instanceID: id).first)
            #expect(checkpoint.status == .saved)
            let listed = try await bed.browser.get(bed.toolURL + path)
            #expect(listed.body.contains("&lt;b&gt;before&lt;/b&gt; step 3") && !listed.body.contains("<b>before</b>"), "the label is shown as text")
            #expect(listed.body.contains("loses everything done in your lab since"))
            #expect(listed.body.contains("keeps 1 checkpoints: delete one") && !listed.body.contains("Save a checkpoint</button>"))
            let token = try await APITokens(repository: bed.repositories.apiTokens).create(name: "reader", scope: .read, lifetime: nil, now: Date())
            let shown = try await AdminAPITests.call("GET", bed.toolURL + "/api/v1/instances/\(id)", token: token.bearer)
            let listedByAPI = try #require((shown.json as? [String: Any])?["checkpoints"] as? [[String: Any]])
            #expect(listedByAPI.map { $0["label"] as? String } == ["<b>before</b> step 3"] && listedByAPI.first?["status"] as? String == "saved")
            let full = try await bed.browser.post(bed.toolURL + path + "/checkpoints", fields: [("csrf", csrf), ("label", "second")])
            #expect(full.header("location") == path + "?notice=checkpoint-full")

            try await bed.withOtherBrowser { (teacher) async throws in
                let (_, page) = try await TeachingTests.teach(bed, in: teacher)
                let rows = try await teacher.get(bed.toolURL + (page.body.firstMatch(of: /data-refresh="([^"]+)"/).map { String($0.1) } ?? ""))
                #expect(rows.body.contains("&lt;b&gt;before&lt;/b&gt; step 3"), "the teacher sees the student's checkpoints")
            }
            let back = try await bed.browser.post(bed.toolURL + path + "/checkpoints/\(checkpoint.name)/go-back", fields: [("csrf", csrf)])
            #expect(back.header("location") == path)
            for _ in 0..<100 where try await bed.repositories.checkpoints.list(instanceID: id).first?.status != .saved {
                try await Task.sleep(for: .milliseconds(20))
            }
            _ = try await TeachingTests.waitUntil(.ready, id, in: bed)
            #expect(try await bed.repositories.instances.steps(of: id).contains { $0.name == "reset" && $0.outcome == .succeeded })
            let gone = try await bed.browser.post(bed.toolURL + path + "/checkpoints/cp-nothing/go-back", fields: [("csrf", csrf)])
            #expect(gone.header("location") == path + "?notice=checkpoint-gone")

            #expect(try await bed.browser.post(bed.toolURL + path + "/checkpoints/\(checkpoint.name)/delete", fields: [("csrf", csrf)]).status == 303)
            _ = try await TeachingTests.waitUntil(.ready, id, in: bed)
            for _ in 0..<100 where try await !bed.repositories.checkpoints.list(instanceID: id).isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await bed.repositories.checkpoints.list(instanceID: id).isEmpty)
        }
    }
}
