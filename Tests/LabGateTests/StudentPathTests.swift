import Foundation
import GuacBridge
import Hummingbird
import LabCore
import Logging
import PlatformSim
import Provisioning
import Storage
import TestSupport
import Testing

@testable import LabGate

@Suite("The student's path: launch, waiting page, single-use link, desktop")
struct StudentPathTests {
    /// A student's launch of an activity bound to `environment` (through its custom parameter).
    private static func student(_ subject: String, environment: String) -> LaunchScenario {
        LaunchScenario(subject: subject, resourceLinkID: "link-\(environment)", custom: ["environment": environment])
    }

    @Test(
        "launch → clone → Guacamole records → live progress → /open/<code> → 302 whose data is the student's single-use login",
        arguments: LTITestbed.Storage.underTest)
    func wholePath(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let environment = try await bed.repositories.environments.save(
                EnvironmentSpec(
                    name: "desk-\(UUID().uuidString.prefix(6))", title: "Linux desktop",
                    vms: [VMSpec(template: 9000, cloudInit: CloudInitSpec(user: "student"))]
                ).environment())
            let launched = try await bed.launch(Self.student("student-e2e", environment: environment.name))
            #expect(launched.status == 303)
            let waitingPath = try #require(launched.header("location"))
            let instanceID = LabInstanceID(String(try #require(waitingPath.split(separator: "/").last)))

            // The progress stream: the states on the way, then `ready` with a fresh single-use link.
            let events = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            let progress = try events.filter { $0.event == "progress" }.map { try JSONDecoder().decode(LabProgress.self, from: Data($0.data.utf8)) }
            #expect(!progress.isEmpty)
            #expect(progress.map(\.step) == progress.map(\.step).sorted())
            let last = try #require(events.last)
            #expect(last.event == "ready")
            let link = try #require(try JSONDecoder().decode([String: String].self, from: Data(last.data.utf8))["link"])
            #expect(link.hasPrefix(bed.toolURL + "/open/"))

            // Guacamole's records: the connection in the labgate group, readable by the student's Guacamole user.
            let instance = try #require(try await bed.repositories.instances.find(id: instanceID))
            #expect(instance.state == .ready)
            let backends = try await Backends.open(bed.config)
            let (stored, rawPassword) = try await withCleanup {
                let id = try #require(try await backends.guacamoleRecords.connectionID(named: instanceID.rawValue, in: "labgate"))
                let raw = try await backends.database.query("SELECT guest_password FROM lab_instances WHERE id = ?", [.text(instanceID.rawValue)])
                return (
                    try #require(try await backends.guacamoleRecords.connection(id: id)),
                    raw.first.flatMap { if case .text(let text) = $0["guest_password"] { text } else { nil } }
                )
            } cleanup: {
                await backends.close()
            }
            // The guest password is sealed at rest; Guacamole's own parameter table needs it in clear.
            let password = try #require(instance.guestPassword)
            #expect(rawPassword?.hasPrefix("v1:") == true && rawPassword?.contains(password) == false)
            #expect(stored.connection.parameters["password"] == password)
            #expect(stored.readers == [GuacBridge.username(of: instance.userID)])
            #expect(stored.connection.parameters["hostname"] == instance.address)
            #expect(stored.connection.parameters["username"] == "student")

            // Redeemed once: a redirect whose data is the student's login, expiring within a minute.
            let redirect = try await bed.browser.get(link)
            #expect(redirect.status == 302)
            let location = try #require(redirect.header("location"))
            #expect(location.hasPrefix(bed.toolURL + "/preview?data="))
            #expect(location.hasSuffix("#/client/" + GuacBridge.clientIdentifier(connectionID: stored.id)))
            #expect(!location.contains(instance.guestPassword ?? "no password"))
            let data = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "data" }?.value)
            let auth = AuthJSON(derivedFrom: try SecretKeyLoader.load(bed.config, logger: Logger(label: "test")))
            let login = try #require(try JSONSerialization.jsonObject(with: auth.open(data)) as? [String: Any])
            #expect(login["username"] as? String == GuacBridge.username(of: instance.userID))
            #expect(login["singleUse"] as? Bool == true)
            let expires = Double((login["expires"] as? NSNumber)?.int64Value ?? 0) / 1000
            #expect(expires > Date().timeIntervalSince1970 && expires <= Date().timeIntervalSince1970 + 61)

            // Every later use of the link is refused with the page that says what to do.
            let again = try await bed.browser.get(link)
            #expect(again.status == 410)
            #expect(again.body.contains("already used or has expired — launch the lab again from your course"))

            // Without Guacamole the login opens LabGate's preview, once, like Guacamole's single-use login.
            let preview = try await bed.browser.get(location)
            #expect(preview.status == 200)
            #expect(preview.body.contains(GuacBridge.username(of: instance.userID)))
            #expect(preview.body.contains("labgate/\(instanceID)"))
            #expect(!preview.body.contains(instance.guestPassword ?? "no password"))
            #expect(try await bed.browser.get(location).status == 410)

            // Relaunching while the lab is ready shows the lab's page (the launch has a gradebook to hand in to): Open my desktop gives a fresh link.
            let relaunch = try await bed.follow(try await bed.launch(Self.student("student-e2e", environment: environment.name)))
            #expect(relaunch.status == 200 && relaunch.body.contains("Open my desktop"))
            let desktop = try await bed.browser.post(bed.toolURL + waitingPath + "/desktop", fields: [("csrf", try TeachingTests.csrf(in: relaunch))])
            #expect(desktop.status == 303)
            let fresh = try #require(desktop.header("location"))
            #expect(fresh.hasPrefix(bed.toolURL + "/open/") && fresh != link)
            #expect(try await bed.browser.get(fresh).status == 302)
        }
    }

    @Test("another student's session can neither redeem a link nor see the lab; without a session the page says to relaunch")
    func otherStudents() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("desk-\(UUID().uuidString.prefix(6))", title: "Desk")
            let waitingPath = try #require(try await bed.launch(Self.student("owner", environment: environment.name)).header("location"))
            let events = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            let ready = try #require(events.last)
            let link = try #require(try JSONDecoder().decode([String: String].self, from: Data(ready.data.utf8))["link"])

            try await bed.withOtherBrowser { (other) async throws in
                _ = try await bed.launch(Self.student("intruder", environment: environment.name), in: other)
                let refused = try await other.get(link)
                #expect(refused.status == 403)
                #expect(refused.body.contains("made for someone else"))
                #expect(try await other.get(bed.toolURL + waitingPath).status == 404)
                #expect(try await other.get(bed.toolURL + "/labs/\(UUID().uuidString)").status == 404)
            }
            try await bed.withOtherBrowser { (anonymous) async throws in
                let page = try await anonymous.get(link)
                #expect(page.status == 401)
                #expect(page.body.contains("Open the activity again from your course"))
            }
            // The intruder's attempt did not use the link up.
            #expect(try await bed.browser.get(link).status == 302)
        }
    }

    @Test("a failed lab says why and offers to try again; the retry needs the page's token")
    func failedLab() async throws {
        try await LTITestbed.run { (bed) async throws in
            // Template 9999 does not exist on the simulated cluster: the clone fails.
            let environment = try await bed.repositories.environments.save(
                EnvironmentSpec(name: "broken-\(UUID().uuidString.prefix(6))", title: "Broken", vms: [VMSpec(template: 9999)]).environment())
            let waitingPath = try #require(try await bed.launch(Self.student("unlucky", environment: environment.name)).header("location"))
            let events = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            let lastEvent = try #require(events.last)
            let final = try JSONDecoder().decode(LabProgress.self, from: Data(lastEvent.data.utf8))
            #expect(final.state == "failed" && final.action == "retry")
            #expect(final.text.contains("could not be prepared"))

            let page = try await bed.browser.get(bed.toolURL + waitingPath)
            #expect(page.status == 200)
            #expect(page.body.contains(#"<form id="start" method="post" action="\#(waitingPath)/start">"#))
            #expect(page.body.contains("Try again"))
            let form = try #require(page.form)
            let instanceID = LabInstanceID(String(try #require(waitingPath.split(separator: "/").last)))
            let failed = try #require(try await bed.repositories.instances.find(id: instanceID))
            #expect(try await bed.browser.post(form.action, fields: [("csrf", "forged")]).status == 403)
            #expect(try await bed.repositories.instances.find(id: instanceID)?.version == failed.version)
            let retried = try await bed.browser.submit(form)
            #expect(retried.status == 303)
            #expect(retried.header("location") == waitingPath)
            // Asked again: saved as requested (the worker may have failed it once more since).
            #expect(try #require(try await bed.repositories.instances.find(id: instanceID)).version > failed.version)
        }
    }

    @Test("relaunching a stopped lab starts it again, and the page follows it to ready")
    func relaunchStopped() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("desk-\(UUID().uuidString.prefix(6))", title: "Desk")
            let scenario = Self.student("sleeper", environment: environment.name)
            let waitingPath = try #require(try await bed.launch(scenario).header("location"))
            _ = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            // Stopped as a teacher or the idle reaper would leave it (the simulated VM keeps running; starting it again is a no-op).
            let instanceID = LabInstanceID(String(try #require(waitingPath.split(separator: "/").last)))
            var instance = try #require(try await bed.repositories.instances.find(id: instanceID))
            try instance.transition(to: .stopping, at: Date())
            try instance.transition(to: .stopped, at: Date())
            instance = try await bed.repositories.instances.save(instance)
            let stoppedPage = try await bed.browser.get(bed.toolURL + waitingPath)
            #expect(stoppedPage.body.contains("Your lab is stopped") && stoppedPage.body.contains("Start my lab"))

            #expect(try await bed.launch(scenario).header("location") == waitingPath)
            let events = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            #expect(events.last?.event == "ready")
        }
    }

    @Test("the window pass opens the same session in a browser that has no cookie; a forged pass does not")
    func windowPass() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.repositories.environments.save(
                EnvironmentSpec(name: "broken-\(UUID().uuidString.prefix(6))", title: "Broken", vms: [VMSpec(template: 9999)]).environment())
            let waitingPath = try #require(try await bed.launch(Self.student("windowed", environment: environment.name)).header("location"))
            _ = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            let page = try await bed.browser.get(bed.toolURL + waitingPath)
            let pass = try #require(page.body.firstMatch(of: /name="pass" value="([^"]+)"/)?.1)
            try await bed.withOtherBrowser { (window) async throws in
                #expect(try await window.get(bed.toolURL + waitingPath).status == 401)
                #expect(try await window.post(bed.toolURL + waitingPath + "/window", fields: [("pass", "forged.pass")]).status == 401)
                let opened = try await window.post(bed.toolURL + waitingPath + "/window", fields: [("pass", String(pass))])
                #expect(opened.status == 303)
                #expect(opened.header("location") == waitingPath)
                #expect(try await window.get(bed.toolURL + waitingPath).status == 200)
            }
        }
    }

    /// Who may reach a route of the student's path: the lab's owner, a classmate with a lab of
    /// their own, the course's teacher, and a browser with no session.
    struct Expected {
        var owner: Int, classmate: Int, teacher: Int, nobody: Int
    }

    /// What each route of `StudentPathController.routes` must answer; a route missing here fails the test.
    static let expected: [String: Expected] = [
        "/labs/:instance": Expected(owner: 200, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/events": Expected(owner: 200, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/start": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/desktop": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/check": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/hand-in": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/reset": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/checkpoints": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/checkpoints/:checkpoint/go-back": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        "/labs/:instance/checkpoints/:checkpoint/delete": Expected(owner: 303, classmate: 404, teacher: 404, nobody: 401),
        // The pass is the credential here: each posts the pass of their own page (the teacher has none); a pass opens its own lab only.
        "/labs/:instance/window": Expected(owner: 303, classmate: 401, teacher: 401, nobody: 401),
        "/labs/:instance/window-pass": Expected(owner: 200, classmate: 404, teacher: 404, nobody: 401),
        "/open/:code": Expected(owner: 302, classmate: 403, teacher: 403, nobody: 401),
        "/preview": Expected(owner: 200, classmate: 403, teacher: 403, nobody: 401),
    ]

    @Test("every route of the student's path × owner, classmate, teacher, no session: only the owner gets through; ids of others' labs are 404")
    func authorizationMatrix() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("own-\(UUID().uuidString.prefix(6))", title: "Own")
            let waitingPath = try #require(try await bed.launch(Self.student("owner", environment: environment.name)).header("location"))
            _ = try await bed.browser.events(bed.toolURL + waitingPath + "/events")
            let instance = String(try #require(waitingPath.split(separator: "/").last))
            try await bed.withOtherBrowser { (classmate) async throws in
                try await bed.withOtherBrowser { (teacher) async throws in
                    try await bed.withOtherBrowser { (nobody) async throws in
                        let theirs = try #require(
                            try await bed.launch(Self.student("classmate", environment: environment.name), in: classmate).header("location"))
                        var teaching = LaunchScenario.teacher(subject: "their-teacher")
                        teaching.resourceLinkID = "link-\(environment.name)"
                        #expect(try await bed.launch(teaching, in: teacher).status == 303)
                        let browsers = [("owner", bed.browser), ("classmate", classmate), ("teacher", teacher), ("nobody", nobody)]

                        // The links need the lab ready, as it is now: a fresh single-use link for each try, and the preview it leads to.
                        func local(_ location: String?) throws -> String {
                            let location = try #require(location)
                            return location.hasPrefix(bed.toolURL) ? String(location.dropFirst(bed.toolURL.count)) : location
                        }
                        func freshLink() async throws -> String {
                            let home = try await bed.browser.get(bed.toolURL + waitingPath)
                            let desktop = try await bed.browser.post(
                                bed.toolURL + waitingPath + "/desktop", fields: [("csrf", try TeachingTests.csrf(in: home))])
                            return try local(desktop.header("location"))
                        }
                        let previewPath = try local(try await bed.browser.get(bed.toolURL + (try await freshLink())).header("location"))
                        // The lab's own pages are asked of it stopped, so the waiting page shows its forms instead of moving on.
                        let token = try await APITokens(repository: bed.repositories.apiTokens).create(
                            name: "matrix", scope: .write, lifetime: nil, now: Date())
                        func stopped(_ id: String = instance) async throws {
                            for _ in 0..<200 where try await bed.repositories.instances.find(id: LabInstanceID(id))?.state != .stopped {
                                _ = try await AdminAPITests.call("POST", bed.toolURL + "/api/v1/instances/\(id)/stop", token: token.bearer)
                                try await Task.sleep(for: .milliseconds(50))
                            }
                        }
                        try await stopped(String(try #require(theirs.split(separator: "/").last)))
                        func forms(_ browser: SimBrowser, _ path: String) async throws -> (csrf: String, pass: String) {
                            let body = try await browser.get(bed.toolURL + path).body
                            return (
                                String(body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1 ?? ""),
                                String(body.firstMatch(of: /name="pass" value="([^"]+)"/)?.1 ?? "")
                            )
                        }

                        let routes = StudentPathController<BasicRequestContext>.routes
                        for route in routes.filter({ !$0.path.hasPrefix("/labs/") }) + routes.filter({ $0.path.hasPrefix("/labs/") }) {
                            let expected = try #require(Self.expected[route.path], "\(route.method) \(route.path) has no expectation in the matrix")
                            // The owner last: their start sets the lab going.
                            for (role, browser) in browsers.reversed() {
                                var path = route.path.replacingOccurrences(of: ":instance", with: instance)
                                if route.path == "/open/:code" { path = try await freshLink() }
                                if route.path == "/preview" { path = previewPath }
                                if route.path.hasPrefix("/labs/") { try await stopped() }
                                let status: Int
                                if route.method == .get {
                                    status = try await browser.get(bed.toolURL + path).status
                                } else {
                                    let own = try await forms(browser, role == "classmate" ? theirs : waitingPath)
                                    status = try await browser.post(bed.toolURL + path, fields: [("csrf", own.csrf), ("pass", own.pass)]).status
                                }
                                let wanted = [
                                    "owner": expected.owner, "classmate": expected.classmate, "teacher": expected.teacher, "nobody": expected.nobody,
                                ][role]
                                #expect(status == wanted, "\(route.method) \(route.path) as \(role): \(status)")
                            }
                        }
                    }
                }
            }
        }
    }
}
