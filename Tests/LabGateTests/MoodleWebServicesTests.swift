import Foundation
import GuacBridge
import LabCore
import PlatformSim
import Provisioning
import TestSupport
import Testing
import WebSupport

@testable import LabGate

/// Moodle's web services against the test platform's copy of Moodle 4.3's REST endpoint:
/// the course page's timetable and groups, read-only watching for non-editing teachers,
/// messages to students, and every fault in words.
@Suite("Moodle's web services")
struct MoodleWebServicesTests {
    /// Moodle's course 2 as the web services list it; LTI's context id is that course id and
    /// each `sub` the user's id, as Moodle sends them.
    static func moodleCourse(_ bed: LTITestbed) {
        bed.platform.moodle.setCourse(
            2,
            participants: [
                .init(id: 3, fullname: "Grace Hopper", role: "editingteacher"),
                .init(id: 4, fullname: "Alan Turing", role: "teacher"),
                .init(id: 5, fullname: "Ada Lovelace", groupIDs: [11]),
                .init(id: 6, fullname: "Edsger Dijkstra", groupIDs: [12]),
            ],
            groups: [11: "Team Red", 12: "Team Blue"],
            events: [
                .init(id: 70, name: "Networks lab <session>", start: Date().addingTimeInterval(3600), durationSeconds: 7200),
                .init(id: 71, name: "Last year's lab", start: Date().addingTimeInterval(-30 * 24 * 3600), durationSeconds: 3600),
            ])
    }

    static func person(_ subject: String, learner: Bool = true, name: String? = nil) -> LaunchScenario {
        var scenario = learner ? LaunchScenario(subject: subject, name: name) : .teacher(subject: subject)
        scenario.contextID = "2"
        return scenario
    }

    @Test("the course page shows Moodle's timetable and groups, and each enrolled student's groups")
    func timetableAndGroups() async throws {
        try await LTITestbed.run(webServices: SimMoodleSite.functions) { (bed) async throws in
            Self.moodleCourse(bed)
            for (id, name) in [(5, "Ada Lovelace"), (6, "Edsger Dijkstra")] {
                bed.platform.gradebook.enrol(SimGradebook.SimMember(subject: String(id), name: name, email: nil, roles: [LTIRoles.learner]))
            }
            let (courseID, _) = try await TeachingTests.teach(bed, Self.person("3", learner: false))
            let page = try await RosterTests.sync(bed, courseID)
            #expect(page.body.contains("Networks lab &lt;session&gt;"), "the upcoming event, escaped")
            #expect(!page.body.contains("Last year&#39;s lab") && !page.body.contains("Last year's lab"), "past events are not the timetable")
            #expect(page.body.contains("<li><strong>Team Red</strong>: Ada Lovelace</li>"))
            #expect(page.body.contains("<li><strong>Team Blue</strong>: Edsger Dijkstra</li>"))
            #expect(page.body.contains("<th scope=\"col\">Groups in Moodle</th>"))
            #expect(page.body.contains("<td>Ada Lovelace</td><td></td><td>not yet</td><td>Team Red</td>"))
            let calls = bed.platform.moodle.calls
            #expect(calls.contains("core_calendar_get_calendar_events") && calls.contains("core_group_get_course_groups"))
        }
    }

    @Test("a non-editing teacher, a Learner to LTI, watches the course page without its forms and cannot change anything; a student cannot")
    func nonEditingTeacherWatches() async throws {
        try await LTITestbed.run(webServices: SimMoodleSite.functions) { (bed) async throws in
            Self.moodleCourse(bed)
            let (courseID, teacherPage) = try await TeachingTests.teach(bed, Self.person("3", learner: false))
            let csrf = try TeachingTests.csrf(in: teacherPage)
            #expect(teacherPage.body.contains("id=\"settings\""))
            try await bed.withOtherBrowser { (watcher) async throws in
                _ = try await bed.launch(Self.person("4", name: "Alan Turing"), in: watcher)
                let page = try await watcher.get(bed.toolURL + "/courses/\(courseID)")
                #expect(page.status == 200 && page.body.contains("id=\"read-only\""))
                #expect(!page.body.contains("<form method=\"post\"") && !page.body.contains("id=\"settings\""), "no form at all")
                #expect(page.body.contains("Team Red"))
                let rows = try await watcher.get(bed.toolURL + "/courses/\(courseID)/roster")
                #expect(rows.status == 200 && !rows.body.contains("<form"))
                let refused = try await watcher.post(
                    bed.toolURL + "/courses/\(courseID)/settings", fields: [("csrf", csrf), ("timeZone", "Europe/Paris")])
                #expect(refused.status == 403 && refused.body.contains("non-editing teacher"))
            }
            try await bed.withOtherBrowser { (student) async throws in
                _ = try await bed.launch(Self.person("5", name: "Ada Lovelace"), in: student)
                #expect(try await student.get(bed.toolURL + "/courses/\(courseID)").status == 403)
            }
            #expect(try await bed.repositories.courses.settings(of: courseID).timeZone == "UTC")
        }
    }

    @Test("a function the token may not call turns its feature off, naming it, in the page and in /readyz; a revoked token says so and breaks nothing else")
    func missingFunctionAndRevokedToken() async throws {
        let functions = SimMoodleSite.functions.filter { $0 != "core_calendar_get_calendar_events" }
        try await LTITestbed.run(webServices: functions) { (bed) async throws in
            Self.moodleCourse(bed)
            let (courseID, page) = try await TeachingTests.teach(bed, Self.person("3", learner: false))
            #expect(page.body.contains("may not call core_calendar_get_calendar_events"))
            #expect(page.body.contains("Team Red"), "the other features still work")
            let ready = try await bed.browser.get(bed.toolURL + "/readyz")
            #expect(ready.status == 200)
            #expect(ready.body.contains(#""missingFunctions":["core_calendar_get_calendar_events"]"#))

            bed.platform.moodle.revokeAll()
            let first = try await bed.browser.get(bed.toolURL + "/courses/\(courseID)")
            #expect(first.status == 200 && first.body.contains("invalidtoken"))
            let next = try await bed.browser.get(bed.toolURL + "/courses/\(courseID)")
            #expect(next.status == 200 && next.body.contains("id=\"moodle-unavailable\"") && next.body.contains("make a new one"))
            #expect(next.body.contains("Students and their labs"))
            let readyAfter = try await bed.browser.get(bed.toolURL + "/readyz")
            #expect(readyAfter.status == 200 && readyAfter.body.contains(#""ready":false"#))
        }
    }

    @Test("without web services the page says how to add them, and /readyz lists none")
    func notConfigured() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (_, page) = try await TeachingTests.teach(bed)
            #expect(page.body.contains("labgate platform webservices"))
            #expect(try await bed.browser.get(bed.toolURL + "/readyz").body.contains(#""webServices":[]"#))
        }
    }

    @Test("a team lab gives each of Moodle's groups a VLAN of its own, found from the student's LTI sub through the web services")
    func teamLabsByGroup() async throws {
        try await LTITestbed.run(webServices: SimMoodleSite.functions) { (bed) async throws in
            Self.moodleCourse(bed)
            let spec = EnvironmentSpec(
                name: "team", title: "Team lab", vms: [VMSpec(template: 9000, network: NetworkSpec(bridge: "vmbr1", vlan: .perGroup(3100...3109)))])
            try await bed.repositories.environments.save(try spec.environment())
            let platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            var labs: [String: LabInstance] = [:]
            for subject in ["5", "6"] {
                try await bed.withOtherBrowser { (student) async throws in
                    var scenario = Self.person(subject)
                    scenario.custom = ["environment": "team"]
                    _ = try await bed.launch(scenario, in: student)
                }
                let user = try await bed.repositories.users.upsert(User(platformID: platform.id, subject: subject))
                for _ in 0..<500 {
                    labs[subject] = try await bed.repositories.instances.list(userID: user.id).first
                    if labs[subject]?.state.isResting == true { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(labs[subject]?.state == .ready, "\(labs[subject]?.failureReason ?? "")")
            }
            let course = try #require(labs["5"]?.courseID)
            let red = try await bed.repositories.reservations.held(kind: "vlan", by: .group(course, "11"))
            let blue = try await bed.repositories.reservations.held(kind: "vlan", by: .group(course, "12"))
            #expect(red.count == 1 && blue.count == 1 && red.first?.value != blue.first?.value, "Team Red and Team Blue: \(red), \(blue)")
            #expect(bed.platform.moodle.calls.contains("core_enrol_get_enrolled_users"))
        }
    }

    @Test("a student who waited gets 'your lab is ready' in Moodle; one who blocks messages is recorded as not delivered, not retried")
    func readyMessages() async throws {
        try await LTITestbed.run(["lti.readyMessageAfterSeconds": "0"], webServices: SimMoodleSite.functions) { (bed) async throws in
            Self.moodleCourse(bed)
            bed.platform.moodle.block(userID: 6)
            let environment = try await bed.addEnvironment("msg-\(UUID().uuidString.prefix(6))", title: "Linux")
            for subject in ["5", "6"] {
                try await bed.withOtherBrowser { (student) async throws in
                    var scenario = Self.person(subject)
                    scenario.custom = ["environment": environment.name]
                    _ = try await bed.launch(scenario, in: student)
                }
            }
            var messages: [SimMoodleSite.Message] = []
            var events: [AuditEvent] = []
            for _ in 0..<400 {
                messages = bed.platform.moodle.messages
                events = try await bed.repositories.audit.list(AuditFilter(), before: nil, limit: 200).filter { $0.action == "message.lab-ready" }
                if events.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(messages.count == 1 && messages.first?.to == 5)
            #expect(messages.first?.text.contains("Your lab “Linux” is ready") == true)
            #expect(events.count == 2)
            let refused = try #require(events.first { $0.outcome == .refused })
            #expect(refused.detail.contains("Moodle did not deliver it"))
        }
    }

    @Test("a student with a desktop session open on a lab nobody uses is told in Moodle when it will be paused")
    func unusedMessage() async throws {
        let cluster = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-idle-\(UUID().uuidString).yaml")
        try (LTITestbed.fastCluster + "\nguestLoad: { cpu: 0.004, netIn: 150, netOut: 90 }\n").write(to: cluster, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: cluster) }
        let settings = ["provisioning.reconcileIntervalSeconds": "5", "proxmox.simulatorConfig": cluster.path]
        try await LTITestbed.run(settings, webServices: SimMoodleSite.functions) { (bed) async throws in
            Self.moodleCourse(bed)
            // With checkpoints, the lab has a page of its own, which shows the warning too.
            let environment = try await bed.addEnvironment("unused-\(UUID().uuidString.prefix(6))", title: "Linux", checkpoints: 1)
            var scenario = Self.person("5")
            scenario.custom = ["environment": environment.name]
            let path = try #require(try await bed.launch(scenario).header("location"))
            let id = LabInstanceID(String(path.split(separator: "/").last ?? ""))
            let lab = try await TeachingTests.waitUntil(.ready, id, in: bed)
            // On the desktop for 35 minutes, by Guacamole's history; the guest has done nothing.
            try await GuacamoleSchema.recordSession(
                connection: id.rawValue, username: GuacBridge.username(of: lab.userID), start: Date() - 35 * 60, in: bed.guacamoleDatabase)
            try await eventually("the unused lab's warning", timeout: LTITestbed.backgroundPassTimeout) {
                bed.platform.moodle.messages.contains { $0.text.contains("has not been used for a while") }
            }
            let warning = try #require(bed.platform.moodle.messages.first { $0.text.contains("has not been used for a while") })
            #expect(warning.to == 5 && warning.text.contains("It will be paused at") && warning.text.contains("your files are kept"))
            #expect(try await bed.repositories.instances.find(id: id)?.state == .ready, "warned, not paused yet")
            let page = try await bed.browser.get(bed.toolURL + path)
            #expect(page.body.contains("Your lab looks unused: it will be paused at"))
        }
    }
}

/// `labgate platform webservices` and `labgate config check`, run as an admin would.
@Suite("labgate platform webservices")
struct WebServicesCommandTests {
    func labgate(_ arguments: [String], in folder: String) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run(CommandLineTests.binary, arguments, in: folder, environment: ["LABGATE_LTI_ALLOW_INSECURE_LOOPBACK": "true"])
    }

    @Test("a token from a file is checked, stored sealed, never printed; a revoked token and a removal say so")
    func configureCheckRevokeRemove() async throws {
        let platform = try PlatformSim()
        try await platform.serving {
            let folder = try CommandLineTests().scratchFolder()
            let identity = ["--issuer", platform.issuer, "--client-id", platform.clientID]
            let added = try await labgate(
                ["platform", "add"] + identity + [
                    "--deployment-id", "1", "--auth-url", platform.authURL, "--token-url", platform.tokenURL, "--jwks-url", platform.jwksURL,
                ], in: folder)
            #expect(added.status == 0, "\(added.error)")
            let token = platform.moodle.issueToken(functions: SimMoodleSite.functions.filter { $0 != "core_message_send_instant_messages" })
            let tokenFile = folder + "/moodle.token"
            try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)

            let set = try await labgate(["platform", "webservices"] + identity + ["--site-url", platform.issuer + "/", "--token-file", tokenFile], in: folder)
            #expect(set.status == 0, "\(set.error)")
            #expect(set.output.contains("web services of LabGate test platform work"))
            #expect(set.output.contains("missing core_message_send_instant_messages: messages to students"))
            let database = try #require(FileManager.default.contents(atPath: folder + "/var/labgate.sqlite"))
            #expect(database.range(of: Data(token.utf8)) == nil, "the token is stored sealed")

            let files = folder + "/lti-config/platforms"
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            try """
            issuer: \(platform.issuer)
            clientId: \(platform.clientID)
            deploymentIds: ["1"]
            authUrl: \(platform.authURL)
            tokenUrl: \(platform.tokenURL)
            jwksUrl: \(platform.jwksURL)
            webServices: { siteUrl: "\(platform.issuer)", tokenFile: "\(tokenFile)" }
            """.write(toFile: files + "/moodle.yaml", atomically: true, encoding: .utf8)
            let check = try await labgate(["config", "check"], in: folder)
            #expect(check.status == 0, "\(check.error)")
            #expect(check.output.contains("web services at \(platform.issuer), token (hidden) read from \(tokenFile)"))
            #expect(!(check.output + check.error).contains(token))

            platform.moodle.revokeAll()
            let revoked = try await labgate(["platform", "webservices"] + identity, in: folder)
            #expect(revoked.output.contains("Moodle does not know the web-service token (invalidtoken)"), "\(revoked.output)")
            #expect(!(revoked.output + revoked.error).contains(token))

            let removed = try await labgate(["platform", "webservices"] + identity + ["--remove"], in: folder)
            #expect(removed.status == 0 && removed.output.contains("no web services configured"))
            let half = try await labgate(["platform", "webservices"] + identity + ["--site-url", platform.issuer], in: folder)
            #expect(half.status != 0 && half.error.contains("--site-url and --token-file together"))
            let ftp = try await labgate(
                ["platform", "webservices"] + identity + ["--site-url", "ftp://moodle.example.edu", "--token-file", tokenFile], in: folder)
            #expect(ftp.status == 1 && ftp.error.contains("ftp://moodle.example.edu"), "\(ftp.error)")
            #expect(!ftp.error.contains(token))
        }
    }
}
