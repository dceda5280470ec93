import Foundation
import LabCore
import PlatformSim
import Provisioning
import Testing

@testable import LabGate

/// The student's page for a ready lab: the desktop through a fresh link, "Check my work",
/// "Hand in" to the gradebook, and reset; and the teacher's view of the results.
@Suite("The student's lab page")
struct LabHomeTests {
    /// Two checks the test cluster's guests answer: the first passes, the second fails printing HTML.
    static let checks = [
        CheckSpec(name: "hello.txt exists", command: .shell("test -f /home/student/hello.txt"), points: 2),
        CheckSpec(name: "nginx runs", command: .shell("systemctl is-active nginx"), points: 3),
    ]

    /// Ada's ready lab of a new environment with `checks`, launched from an activity with a gradebook column: its page's path.
    static func readyLab(
        _ bed: LTITestbed, checks: [CheckSpec] = checks, checkpoints: Int = 0, subject: String = "ada", in browser: SimBrowser? = nil
    ) async throws -> String {
        bed.platform.gradebook.addLineItem(resourceLinkID: "link-1", label: "Lab 1")
        let environment = try await bed.addEnvironment(
            "home-\(UUID().uuidString.prefix(6))", title: "Checked lab", checks: checks, checkpoints: checkpoints)
        let browser = browser ?? bed.browser
        let launch = try await bed.launch(LaunchScenario(subject: subject, name: "Ada Lovelace", custom: ["environment": environment.name]), in: browser)
        let path = try #require(launch.header("location"))
        _ = try await TeachingTests.waitUntil(.ready, LabInstanceID(String(path.split(separator: "/").last ?? "")), in: bed)
        return path
    }

    @Test(
        "a ready lab's page offers the desktop, the checks and the hand-in; checking shows each result (output as text); too soon is said; handing in sends the checks' points and results to the gradebook; the teacher sees them"
    )
    func checkAndHandIn() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let path = try await Self.readyLab(bed)
            let home = try await bed.browser.get(bed.toolURL + path)
            #expect(home.status == 200)
            #expect(home.body.contains("Open my desktop") && home.body.contains("Check my work") && home.body.contains("Hand in"))
            #expect(home.body.contains("Not checked yet") && home.body.contains("In the gradebook: not sent"))
            let csrf = try TeachingTests.csrf(in: home)

            let desktop = try await bed.browser.post(bed.toolURL + path + "/desktop", fields: [("csrf", csrf)])
            #expect(desktop.status == 303 && desktop.header("location")?.hasPrefix(bed.toolURL + "/open/") == true)
            #expect(try await bed.browser.post(bed.toolURL + path + "/desktop", fields: [("csrf", "forged")]).status == 403)

            let checked = try await bed.browser.post(bed.toolURL + path + "/check", fields: [("csrf", csrf)])
            #expect(checked.status == 303 && checked.header("location") == path + "?notice=checked")
            let results = try await bed.browser.get(bed.toolURL + path + "?notice=checked")
            #expect(results.body.contains("Your work was checked"))
            #expect(results.body.contains("2 of 5 points"))
            #expect(results.body.contains("&lt;b&gt;inactive&lt;/b&gt;") && !results.body.contains("<b>inactive</b>"), "output is shown as text")

            let again = try await bed.browser.post(bed.toolURL + path + "/check", fields: [("csrf", csrf)])
            let soon = try #require(again.header("location"))
            #expect(soon.hasPrefix(path + "?notice=too-soon&wait="))
            #expect(try await bed.browser.get(bed.toolURL + soon).body.contains("you can check again in"))

            let handedIn = try await bed.browser.post(bed.toolURL + path + "/hand-in", fields: [("csrf", csrf)])
            #expect(handedIn.status == 303 && handedIn.header("location") == path + "?notice=handed-in")
            let courseID = try #require(try await bed.repositories.instances.find(id: LabInstanceID(String(path.split(separator: "/").last ?? "")))?.courseID)
            let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)
            let ada = try await GradePassbackTests.student(bed, courseID)
            let grade = try await GradePassbackTests.settled(bed, activity.id, ada)
            #expect(grade.state == .sent, "\(grade.detail ?? "")")
            let stored = try #require(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1"))
            #expect(stored.gradingProgress == "FullyGraded" && stored.activityProgress == "Completed")
            #expect(stored.score == 40, "2 of 5 points, rescaled by the platform to its column of 100")
            #expect(stored.comment == "✓ hello.txt exists: 2/2\n✗ nginx runs: 0/3")
            #expect(try await bed.browser.get(bed.toolURL + path).body.contains("(handed in)"))

            try await bed.withOtherBrowser { (teacher) async throws in
                let (_, page) = try await TeachingTests.teach(bed, in: teacher)
                #expect(page.body.contains("2 of 5 points at") && page.body.contains("(handed in)"))
                #expect(page.body.contains("Completed, 2/5"))
                #expect(page.body.contains(#"name="score" min="0" max="100" step="any" value="40""#), "the form's scale is 0–100")
            }
        }
    }

    @Test(
        "without checks, Hand in asks the teacher to grade (Submitted, PendingManual); reset sends the lab back to the waiting page; a classmate's hand-in of Ada's lab is 404"
    )
    func handInWithoutChecks() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let path = try await Self.readyLab(bed, checks: [])
            let home = try await bed.browser.get(bed.toolURL + path)
            #expect(home.status == 200 && home.body.contains("Hand in") && !home.body.contains("Check my work"))
            let csrf = try TeachingTests.csrf(in: home)
            try await bed.withOtherBrowser { (classmate) async throws in
                let theirs = try TeachingTests.csrf(
                    in: try await bed.follow(try await bed.launch(LaunchScenario(subject: "bob"), in: classmate), in: classmate))
                #expect(try await classmate.post(bed.toolURL + path + "/hand-in", fields: [("csrf", theirs)]).status == 404)
            }
            #expect(try await bed.browser.post(bed.toolURL + path + "/hand-in", fields: [("csrf", csrf)]).status == 303)
            for _ in 0..<200 where bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1")?.gradingProgress != "PendingManual" {
                try await Task.sleep(for: .milliseconds(50))
            }
            let stored = try #require(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1"))
            #expect(stored.activityProgress == "Submitted" && stored.gradingProgress == "PendingManual" && stored.score == nil)

            let reset = try await bed.browser.post(bed.toolURL + path + "/reset", fields: [("csrf", csrf)])
            #expect(reset.status == 303 && reset.header("location") == path)
            let id = LabInstanceID(String(path.split(separator: "/").last ?? ""))
            #expect(try await bed.repositories.instances.find(id: id)?.state != .ready)
        }
    }
}
