import Foundation
import LTIGateway
import LabCore
import PlatformSim
import Provisioning
import TestSupport
import Testing
import WebSupport

@testable import LabGate

/// Chromium is installed by the test command; under CI a missing one fails the run instead of skipping it.
private let chromiumExpected = HeadlessChromium.isInstalled || TestServers.isCI

/// The pages in a real browser: Debian's headless Chromium clicks through the demo course,
/// the waiting page, the preview and the teacher's course page, and writes screenshots to
/// `.build/screenshots/`.
@Suite("The student's and the teacher's pages in headless Chromium", .enabled(if: chromiumExpected))
struct BrowserTests {
    static let screenshots = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/screenshots")

    /// The demo's cluster speed: slow enough that the waiting page shows each step for a moment.
    static let demoCluster = LTITestbed.fastCluster.replacingOccurrences(of: "timeScale: 1000", with: "timeScale: 10")

    private static func withChromium(_ body: (HeadlessChromium, HeadlessChromium.Page) async throws -> Void) async throws {
        let chromium = try HeadlessChromium()
        try await withCleanup {
            try await body(chromium, try await chromium.newPage())
        } cleanup: {
            await chromium.stop()
        }
    }

    /// A new environment of one VM from `template`, offered by the test platform's course.
    private static func offer(_ title: String, template: Int, in bed: LTITestbed) async throws -> LabCore.Environment {
        let environment = try await bed.repositories.environments.save(
            EnvironmentSpec(name: "\(title.lowercased())-\(UUID().uuidString.prefix(6))", title: title, vms: [VMSpec(template: template)]).environment())
        bed.platform.offer(CourseOffering(toolURL: bed.toolURL, custom: ["environment": environment.name]))
        return environment
    }

    private static func clusterFile(_ yaml: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-cluster-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The test course's student launch in its iframe, followed to the desktop (the preview of Guacamole's login).
    private static func launchToDesktop(_ page: HeadlessChromium.Page, _ bed: LTITestbed) async throws {
        try await page.navigate(bed.platform.issuer + "/")
        try await page.waitUntil("document.getElementById('launch-student') !== null")
        try await page.click("#launch-student")
        try await page.waitUntil("document.getElementById('login') !== null", inFrame: "/preview")
    }

    private static func instance(of environment: LabCore.Environment, in bed: LTITestbed) async throws -> LabInstance? {
        try await bed.repositories.instances.list(states: Set(LabInstanceState.allCases), limit: 1000).first { $0.environmentID == environment.id }
    }

    @Test(
        "the demo course: Launch as student opens the waiting page in the course's iframe, which moves on to the desktop preview; a new window and the teacher's launch work too"
    )
    func demoCourse() async throws {
        try await LTITestbed.run(["proxmox.simulatorConfig": try Self.clusterFile(Self.demoCluster)]) { (bed) async throws in
            let environment = try await bed.repositories.environments.save(
                EnvironmentSpec(
                    name: "demo-\(UUID().uuidString.prefix(6))", title: "Linux desktop (simulated)",
                    vms: [VMSpec(template: 9000, cloudInit: CloudInitSpec(user: "student"))]
                ).environment())
            bed.platform.offer(CourseOffering(toolURL: bed.toolURL, custom: ["environment": environment.name]))
            try await Self.withChromium { chromium, page in
                try await page.navigate(bed.platform.issuer + "/")
                try await page.waitUntil("document.getElementById('launch-student') !== null")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("demo-course.png"))
                try await page.click("#launch-student")
                // The waiting page, in the iframe, listening for progress.
                try await page.waitUntil("document.getElementById('progress') !== null && document.getElementById('progress').value >= 1", inFrame: "/labs/")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("waiting-page.png"))
                // On the way to ready there is nothing to retry: the button is not shown.
                let retryShown = try await page.evaluate(
                    "getComputedStyle(document.getElementById('start')).display !== 'none' && document.getElementById('progress').value < 7", inFrame: "/labs/")
                #expect(retryShown as? Bool == false)
                // "Open in a new window": the iframe's cookie lives in the course site's jar, which the
                // new window does not see; the window pass carries the session there.
                try await page.click("form[target=_blank] button", inFrame: "/labs/")
                var windows: [(id: String, url: String)] = []
                for _ in 0..<100 where windows.isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                    windows = try await chromium.pages().filter { $0.url.hasPrefix(bed.toolURL) }
                }
                let window = try await chromium.attach(to: try #require(windows.first, "no new window opened").id)
                try await window.waitUntil("document.getElementById('heading') !== null && /Your lab is/.test(document.getElementById('heading').textContent)")
                // Then, by itself, through the single-use link to the preview of the desktop.
                try await page.waitUntil("document.getElementById('login') !== null", inFrame: "/preview")
                let text = try await page.evaluate("document.body.innerText", inFrame: "/preview") as? String ?? ""
                #expect(text.contains("Your lab is ready"))
                #expect(text.contains("labgate-"))
                #expect(text.contains("hostname"))
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("desktop-preview.png"))
                // The teacher's launch of the same activity opens the course's page.
                try await page.click("#launch-teacher")
                try await page.waitUntil("document.getElementById('students') !== null", inFrame: "/courses/")
            }
            let student = try #require(try await Self.instance(of: environment, in: bed))
            #expect(student.state == .ready)
        }
    }

    @Test("a Deep Linking launch whose return URL is javascript: runs no script in LabGate's origin: the launch is refused with words")
    func hostileReturnURLRunsNothing() async throws {
        try await LTITestbed.run { (bed) async throws in
            _ = try await bed.addEnvironment("dl-\(UUID().uuidString.prefix(6))", title: "Linux")
            var scenario = LaunchScenario.teacher()
            scenario.messageType = "LtiDeepLinkingRequest"
            scenario.deepLinkReturnURL = "javascript:document.title='pwned';window.name='pwned'"
            let form = bed.platform.loginInitiation(scenario, toolURL: bed.toolURL)
            let inputs = form.fields.map { #"<input type="hidden" name="\#($0.0)" value="\#(HTMLPage.escape($0.1))">"# }.joined()
            let start = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-dl-\(UUID().uuidString).html")
            try #"<!doctype html><form method="post" action="\#(form.action)">\#(inputs)</form><script>document.forms[0].submit()</script>"#
                .write(to: start, atomically: true, encoding: .utf8)
            try await Self.withChromium { _, page in
                try await page.navigate(start.absoluteString)
                try await page.waitUntil("location.href.indexOf('/lti/launch') >= 0 && document.body && document.body.innerText.length > 0")
                let text = try await page.evaluate("document.body.innerText") as? String ?? ""
                #expect(text.contains("return address LabGate will not send your browser to"), "\(text)")
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await page.evaluate("document.title") as? String != "pwned")
                #expect(try await page.evaluate("window.name") as? String != "pwned")
                #expect(try await page.evaluate("document.forms.length") as? Int == 0)
            }
        }
    }

    @Test("at 320 px wide the student's and the teacher's pages fit without sideways scrolling, and the keyboard's focus is visible")
    func narrowScreen() async throws {
        try await LTITestbed.run { (bed) async throws in
            _ = try await Self.offer("Linux", template: 9000, in: bed)
            try await Self.withChromium { _, page in
                try await page.emulateWidth(320)
                let fits = "document.documentElement.scrollWidth <= 320"
                let focusShows =
                    "(() => { const b = [...document.querySelectorAll('button')].find(b => b.offsetParent !== null); b.focus(); "
                    + "return document.activeElement === b && getComputedStyle(b).outlineStyle !== 'none'; })()"
                try await page.navigate(bed.platform.issuer + "/launch?as=alan")
                try await page.waitUntil("document.getElementById('status') !== null && document.readyState === 'complete'")
                #expect(try await page.evaluate(fits) as? Bool == true, "the waiting page scrolls sideways at 320 px")
                #expect(try await page.evaluate(focusShows) as? Bool == true)
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("waiting-page-320px.png"))
                // The waiting page moves on to the desktop by itself: let it, so it cannot take the teacher's page away.
                try await page.waitUntil("location.pathname.endsWith('/preview') && document.readyState === 'complete'")
                try await page.navigate(bed.platform.issuer + "/launch?role=teacher")
                try await page.waitUntil("document.getElementById('students') !== null && document.readyState === 'complete'")
                #expect(try await page.evaluate(fits) as? Bool == true, "the course page scrolls sideways at 320 px")
                #expect(try await page.evaluate(focusShows) as? Bool == true)
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("teacher-course-page-320px.png"))
            }
        }
    }

    @Test("a failed lab in the browser: the page says so and its Try again button asks for the lab once more")
    func failedLab() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await Self.offer("Broken", template: 9999, in: bed)
            try await Self.withChromium { _, page in
                // The launch in a window of its own (no iframe), as with Moodle's "open in new window".
                try await page.navigate(bed.platform.issuer + "/launch?as=alan")
                try await page.waitUntil("document.getElementById('start') !== null && !document.getElementById('start').hidden")
                let heading = try await page.evaluate("document.getElementById('heading').textContent") as? String
                #expect(heading == "Your lab could not be prepared")
                #expect(try await page.evaluate("getComputedStyle(document.getElementById('journey')).display") as? String == "none")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("waiting-page-failed.png"))
                let instance = try #require(try await Self.instance(of: environment, in: bed))
                try await page.evaluate("document.getElementById('start-button').click()")
                try await page.waitUntil("document.readyState === 'complete' && document.getElementById('start') !== null")
                var asked = instance
                for _ in 0..<100 where asked.version == instance.version {
                    try await Task.sleep(for: .milliseconds(100))
                    asked = try #require(try await bed.repositories.instances.find(id: instance.id))
                }
                #expect(asked.version > instance.version)
            }
        }
    }

    @Test("the teacher's course page in the course's iframe: choose the activity's environment, see a student appear after their launch, reset their lab")
    func teacherPage() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.repositories.environments.save(
                EnvironmentSpec(
                    name: "teach-\(UUID().uuidString.prefix(6))", title: "Networking lab",
                    vms: [VMSpec(template: 9000, cloudInit: CloudInitSpec(user: "student"))]
                ).environment())
            // No environment in the link: the teacher chooses it on the course page.
            bed.platform.offer(CourseOffering(toolURL: bed.toolURL))
            try await Self.withChromium { _, page in
                try await page.navigate(bed.platform.issuer + "/")
                try await page.waitUntil("document.getElementById('launch-teacher') !== null")
                try await page.click("#launch-teacher")
                try await page.waitUntil("document.querySelector('select[name=environment]') !== null", inFrame: "/courses/")
                let empty = try await page.evaluate("document.getElementById('roster').textContent", inFrame: "/courses/") as? String
                #expect(empty?.contains("No student has opened the course's lab yet.") == true)

                // Choose the environment and press Save, as a person would with the keyboard.
                try await page.evaluate(
                    "(() => { const s = document.querySelector('select[name=environment]'); s.value = '\(environment.name)'; s.focus(); return true })()",
                    inFrame: "/courses/")
                try await page.click("form[id^=activity-] button[type=submit]", inFrame: "/courses/")
                try await page.waitUntil(
                    "document.getElementById('notice') !== null && document.querySelector('select[name=environment]').value === '\(environment.name)'",
                    inFrame: "/courses/")

                // A student launches from their own browser; the page's table shows them within its refresh.
                _ = try await bed.withOtherBrowser { browser in
                    try await bed.launch(LaunchScenario(subject: "student-ada", name: "Ada Lovelace", email: "ada@example.edu"), in: browser)
                }
                try await page.waitUntil(
                    "(() => { const row = document.querySelector('#roster tr[data-instance]'); "
                        + "return row !== null && row.textContent.includes('Ada Lovelace') && row.querySelector('.state').textContent.trim() === 'ready' })()",
                    inFrame: "/courses/")
                try await page.click("#roster tr[data-instance] button[aria-label='reset the lab of Ada Lovelace']", inFrame: "/courses/")
                try await page.waitUntil(
                    "document.getElementById('audit') !== null && document.getElementById('audit').textContent.includes('instance.reset')", inFrame: "/courses/"
                )
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("teacher-course-page.png"))
            }
            let lab = try #require(try await Self.instance(of: environment, in: bed))
            #expect(
                try await bed.repositories.audit.list(AuditFilter(subject: "instance/\(lab.id)"), before: nil, limit: 10).map(\.action).contains(
                    "instance.reset"))
            // The reset reaches the cluster: the workers run its step.
            var steps: [String] = []
            for _ in 0..<100 where !steps.contains("reset") {
                try await Task.sleep(for: .milliseconds(100))
                steps = try await bed.repositories.instances.steps(of: lab.id).map(\.name)
            }
            #expect(steps.contains("reset"))
        }
    }

    @Test(
        "a student's lab page in the course's iframe: Check my work shows each result, Hand in sends the points; the teacher's page shows the result, the grade and the roster"
    )
    func checkAndHandIn() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            bed.platform.gradebook.addLineItem(resourceLinkID: "link-1", label: "Lab 1")
            let environment = try await bed.addEnvironment("checked-\(UUID().uuidString.prefix(6))", title: "Web server lab", checks: LabHomeTests.checks)
            bed.platform.offer(CourseOffering(toolURL: bed.toolURL, custom: ["environment": environment.name]))
            try await Self.withChromium { _, page in
                try await Self.launchToDesktop(page, bed)
                // Back from the desktop by the activity's link: the ready lab opens on its page.
                try await page.click("#launch-student")
                try await page.waitUntil("document.querySelector('#check button') !== null", inFrame: "/labs/")
                try await page.click("#check button", inFrame: "/labs/")
                try await page.waitUntil(
                    "document.getElementById('check-summary') !== null && document.getElementById('check-summary').textContent.includes('2 of 5 points')",
                    inFrame: "/labs/")
                let output = try await page.evaluate("document.querySelector('#check-results pre').textContent", inFrame: "/labs/") as? String
                #expect(output == "<b>inactive</b>", "the guest's output is text, not markup")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("lab-page-checked.png"))
                try await page.click("#hand-in button", inFrame: "/labs/")
                try await page.waitUntil(
                    "document.getElementById('notice') !== null && document.getElementById('notice').textContent.includes('Handed in')", inFrame: "/labs/")

                try await page.click("#launch-teacher")
                try await page.waitUntil(
                    "document.querySelector('#roster .checks') !== null && document.querySelector('#roster .checks').textContent.includes('(handed in)')",
                    inFrame: "/courses/")
                // The grade's delivery and the roster's reading take a worker's turn: the page shows them once reloaded.
                let lab = try #require(try await Self.instance(of: environment, in: bed))
                for _ in 0..<100 {
                    let enrolled = try await bed.repositories.enrolments.list(courseID: try #require(lab.courseID)).members.map(\.subject)
                    if bed.platform.gradebook.grade(of: "student-ada", resourceLinkID: "link-1") != nil, enrolled.contains("student-ada") { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await page.click("#launch-teacher")
                try await page.waitUntil(
                    "document.querySelector('.grade-state') !== null && document.querySelector('.grade-state').textContent.includes('sent at') "
                        + "&& document.getElementById('enrolled') !== null && document.getElementById('enrolled').textContent.includes('Ada Lovelace')",
                    inFrame: "/courses/", timeout: .seconds(20))
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("teacher-course-page-checks.png"))
                _ = try await page.evaluate("(document.getElementById('enrolled-heading').scrollIntoView({block: 'start'}), true)", inFrame: "/courses/")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("teacher-course-page-grades.png"))
            }
            #expect(bed.platform.gradebook.grade(of: "student-ada", resourceLinkID: "link-1")?.score == 40)
        }
    }

    @Test(
        "checkpoints in the course's iframe: save one by name, see it listed, open Go back… which says what is lost, go back and land on the desktop again"
    )
    func checkpoints() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let environment = try await bed.addEnvironment("saved-\(UUID().uuidString.prefix(6))", title: "Web server lab", checkpoints: 2)
            bed.platform.offer(CourseOffering(toolURL: bed.toolURL, custom: ["environment": environment.name]))
            try await Self.withChromium { _, page in
                try await Self.launchToDesktop(page, bed)
                try await page.click("#launch-student")
                try await page.waitUntil("document.getElementById('checkpoint-label') !== null", inFrame: "/labs/")
                _ = try await page.evaluate("(document.getElementById('checkpoint-label').value = 'nginx installed', true)", inFrame: "/labs/")
                try await page.click("#save-checkpoint button", inFrame: "/labs/")
                // The waiting page follows the snapshot, then the lab's page lists it.
                try await page.waitUntil(
                    "document.getElementById('checkpoint-list') !== null && document.getElementById('checkpoint-list').textContent.includes('nginx installed')"
                        + " && !document.getElementById('checkpoint-list').textContent.includes('being saved')",
                    inFrame: "/labs/")
                try await page.click(".go-back summary", inFrame: "/labs/")
                let warning = try await page.evaluate("document.querySelector('.go-back p').textContent", inFrame: "/labs/") as? String
                #expect(warning?.contains("loses everything done in your lab since") == true)
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("lab-page-checkpoints.png"))
                try await page.click(".go-back button", inFrame: "/labs/")
                try await page.waitUntil("document.getElementById('login') !== null", inFrame: "/preview")
            }
            let lab = try #require(try await Self.instance(of: environment, in: bed))
            #expect(try await bed.repositories.instances.steps(of: lab.id).contains { $0.name == "reset" && $0.outcome == .succeeded })
            #expect(try await bed.repositories.checkpoints.list(instanceID: lab.id).map(\.status) == [.saved])
        }
    }

    @Test("a lab paused after a while without use: its page in the course's iframe says so, and Start my lab takes the student back to the desktop")
    func pausedLabStartsAgain() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100", "provisioning.reconcileIntervalSeconds": "5"]) { (bed) async throws in
            let environment = try await bed.addEnvironment("paused-\(UUID().uuidString.prefix(6))", title: "Linux desktop")
            bed.platform.offer(CourseOffering(toolURL: bed.toolURL, custom: ["environment": environment.name]))
            try await Self.withChromium { _, page in
                try await Self.launchToDesktop(page, bed)
                // The student leaves; the reconciler finds the lab without a session for longer than its idle timeout.
                let lab = try #require(try await Self.instance(of: environment, in: bed))
                try await IdlePausingPageTests.backdate(lab.id, by: 30, in: bed)
                _ = try await IdlePausingPageTests.waitUntilPaused(lab.id, in: bed)
                _ = try await page.evaluate("(location.href = '\(bed.toolURL)/labs/\(lab.id)', true)", inFrame: "/preview")
                try await page.waitUntil(
                    "document.getElementById('status') !== null && document.getElementById('status').textContent.includes('paused after 20 minutes without use')"
                        + " && !document.getElementById('start').hidden",
                    inFrame: "/labs/")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("waiting-page-paused.png"))
                try await page.click("#start-button", inFrame: "/labs/")
                try await page.waitUntil("document.getElementById('login') !== null", inFrame: "/preview")
            }
            #expect(try await Self.instance(of: environment, in: bed)?.state == .ready)
        }
    }

    @Test("a lab prepared for the class is ready before the student clicks: the desktop opens at once, without a new clone")
    func preparedLabOpensAtOnce() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let environment = try await bed.addEnvironment("prepared-\(UUID().uuidString.prefix(6))", title: "Linux desktop")
            bed.platform.offer(CourseOffering(toolURL: bed.toolURL, custom: ["environment": environment.name]))
            try await Self.withChromium { _, page in
                // Last week's class: the student launched once, and their lab is gone since (its record is enough here).
                try await Self.launchToDesktop(page, bed)
                var earlier = try #require(try await Self.instance(of: environment, in: bed))
                let course = try #require(earlier.courseID)
                for state in [LabInstanceState.deleting, .deleted] {
                    try earlier.transition(to: state, at: Date())
                    earlier = try await bed.repositories.instances.save(earlier)
                }

                // Today's starts in a minute: the preparer (every 5 s) makes the student's lab now.
                let session = ClassSession(
                    courseID: course, environmentID: environment.id, startsAt: Date().addingTimeInterval(60), endsAt: Date().addingTimeInterval(3600),
                    createdAt: Date())
                try await bed.repositories.classSessions.add(session)
                var prepared: LabInstance?
                try await eventually("the student's lab prepared for the class", timeout: LTITestbed.backgroundPassTimeout) {
                    prepared = try await bed.repositories.instances.list(preparedFor: session.id).first
                    return prepared?.state == .ready
                }
                let lab = try #require(prepared)
                #expect(lab.state == .ready && lab.userID == earlier.userID)

                // The activity opens on "Your lab is ready", no progress to watch; one click opens the desktop.
                try await page.navigate(bed.platform.issuer + "/")
                try await page.waitUntil("document.getElementById('launch-student') !== null")
                try await page.click("#launch-student")
                try await page.waitUntil("document.getElementById('desktop') !== null", inFrame: "/labs/")
                try await page.screenshot(to: Self.screenshots.appendingPathComponent("prepared-lab-ready.png"))
                try await page.click("#desktop button", inFrame: "/labs/")
                try await page.waitUntil("document.getElementById('login') !== null", inFrame: "/preview")
                let now = try #require(try await bed.repositories.instances.find(id: lab.id))
                #expect(now.state == .ready && now.preparedFor == nil, "the student's lab, theirs from now on")
                let live = try await bed.repositories.instances.list(userID: earlier.userID).filter { $0.state != .deleted }
                #expect(live.map(\.id) == [lab.id], "no new clone")
            }
        }
    }
}
