import Foundation
import LabCore
import LabGate
import PlatformSim

/// `labgate demo --once`: one student launch as a browser would make it, each step printed
/// with how long it took, ending at the desktop (or its preview).
struct DemoWalkthrough {
    let toolURL: String
    let platform: PlatformSim

    func run() async throws {
        let browser = SimBrowser()
        do {
            try await walk(in: browser)
        } catch {
            await browser.shutdown()
            throw error
        }
        await browser.shutdown()
    }

    private func walk(in browser: SimBrowser) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var stepStart = start
        func step(_ name: String, _ detail: String) {
            let now = clock.now
            print("\(Self.milliseconds(stepStart.duration(to: now)).padding(toLength: 9, withPad: " ", startingAt: 0)) \(name): \(detail)")
            stepStart = now
        }

        print("One student launch of the demo course, step by step (duration of each step):")
        let scenario = LaunchScenario(subject: "student-ada", resourceLinkTitle: "Lab 1", custom: ["environment": Demo.environment.name])
        let login = try await browser.startLogin(scenario, platform: platform, toolURL: toolURL)
        let authURL = try expect(login, 302, "login initiation")
        step("login initiation", "LabGate redirects to the platform's authorization endpoint")
        let authorization = try await browser.get(authURL)
        guard authorization.status == 200, let form = authorization.form else {
            throw DescribedFailure("the platform answered \(authorization.status) to the authentication request")
        }
        step("platform", "signs an RS256 id_token for Ada (learner) and posts it back")
        let launch = try await browser.submit(form)
        let waitingPath = try expect(launch, 303, "launch")
        step("launch", "LabGate verified the token, found the course and requested the lab → \(waitingPath)")
        _ = try expect(try await browser.get(toolURL + waitingPath), 200, "waiting page")
        step("waiting page", "served; it listens to \(waitingPath)/events")

        // Each state is printed when the lab leaves it, with how long it stayed there (the page
        // looks every 500 ms, so these are multiples of that).
        var link: String?
        var current: LabProgress?
        try await browser.events(toolURL + waitingPath + "/events", timeout: .seconds(120)) { event in
            if event.event == "ready" {
                link = (try? JSONDecoder().decode([String: String].self, from: Data(event.data.utf8)))?["link"]
                step("ready", "a single-use link arrives: \(toolURL)/open/…")
            } else if let progress = try? JSONDecoder().decode(LabProgress.self, from: Data(event.data.utf8)) {
                if let current { step("  \(current.state)", current.text) } else { stepStart = clock.now }
                current = progress
            }
        }
        guard let link else { throw DescribedFailure("the lab did not become ready; see LabGate's log") }
        let opened = try await browser.get(link)
        let desktop = try expect(opened, 302, "single-use link")
        step("link redeemed", "302 to \(desktop.prefix(60))… (auth-json login, 60 s, single use)")
        let preview = try await browser.get(desktop)
        guard preview.status == 200, preview.body.contains("labgate-") else {
            throw DescribedFailure("the preview answered \(preview.status)")
        }
        step("desktop", "the preview shows the decoded login and the Guacamole connection record")
        _ = try expect(try await browser.get(link), 410, "second use of the link")
        step("link again", "410: already used")
        print("\(Self.milliseconds(start.duration(to: clock.now))) in all.")
    }

    /// The page's `Location` after checking its status.
    private func expect(_ page: SimBrowser.Page, _ status: Int, _ what: String) throws -> String {
        guard page.status == status else {
            throw DescribedFailure("\(what) answered \(page.status), not \(status): \(page.body.prefix(300))")
        }
        return page.header("location") ?? ""
    }

    private static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.0f ms", duration.fractionalMilliseconds)
    }
}
