import Foundation
import JOSE
import LTIGateway
import LabCore
import PlatformSim
import TestSupport
import Testing
import WebEncoding

@testable import LabGate

@Suite("LTI launch: the whole browser flow against the test platform")
struct LTILaunchTests {
    @Test("login redirects to the platform with every OIDC parameter and binds the state to the browser")
    func loginRedirect() async throws {
        try await LTITestbed.run { (bed) async throws in
            let page = try await bed.browser.startLogin(LaunchScenario(), platform: bed.platform, toolURL: bed.toolURL)
            #expect(page.status == 302)
            let location = try #require(page.header("location").flatMap(URLComponents.init(string:)))
            #expect(location.path == "/auth")
            let query = Dictionary(uniqueKeysWithValues: (location.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query["scope"] == "openid")
            #expect(query["response_type"] == "id_token")
            #expect(query["response_mode"] == "form_post")
            #expect(query["prompt"] == "none")
            #expect(query["client_id"] == bed.platform.clientID)
            #expect(query["redirect_uri"] == bed.toolURL + "/lti/launch")
            #expect(query["login_hint"] == "student-1")
            #expect(query["lti_message_hint"]?.isEmpty == false)
            let state = try #require(query["state"])
            let nonce = try #require(query["nonce"])
            // 32 random bytes in base64url: 256 bits each.
            #expect(state.count >= 43 && nonce.count >= 43 && state != nonce)
            let cookie = try #require(page.headers("set-cookie").first { $0.hasPrefix("lg_state_") })
            #expect(cookie.contains("=\(state);"))
            for attribute in ["Secure", "HttpOnly", "SameSite=None", "Partitioned", "Max-Age=600"] {
                #expect(cookie.contains(attribute), "state cookie lacks \(attribute)")
            }
        }
    }

    @Test("a platform's authentication URL with a query of its own keeps it, and the OIDC parameters follow it")
    func authenticationURLWithQuery() async throws {
        try await LTITestbed.run { (bed) async throws in
            var platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            platform.authURL = bed.platform.authURL + "?tenant=a"
            #expect(try await bed.repositories.platforms.update(platform))
            let page = try await bed.browser.startLogin(LaunchScenario(), platform: bed.platform, toolURL: bed.toolURL)
            let location = try #require(page.header("location"))
            #expect(location.hasPrefix(bed.platform.authURL + "?tenant=a&scope=openid&"), "\(location)")
            #expect(location.filter { $0 == "?" }.count == 1)
        }
    }

    @Test("a platform's authentication URL that a browser may not be sent to is refused at login, with a page that says why; corrected, it is used")
    func unsafeAuthenticationURL() async throws {
        try await LTITestbed.run { (bed) async throws in
            var platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            platform.authURL = "http://moodle.example.edu/mod/lti/auth.php"
            #expect(try await bed.repositories.platforms.update(platform))
            let page = try await bed.browser.startLogin(LaunchScenario(), platform: bed.platform, toolURL: bed.toolURL)
            #expect(page.status == 400 && page.header("location") == nil)
            #expect(page.body.contains("registered login address is not one LabGate will send your browser to"), "\(page.body.prefix(600))")

            // The directory checks the address once per reading of the registration, and reads it again once told.
            let directory = PlatformDirectory(repository: bed.repositories.platforms, lifetime: .seconds(60), allowInsecureLoopback: false)
            let (issuer, clientID) = (platform.issuer, platform.clientID)
            let find = { try #require(try await directory.find(issuer: issuer, clientID: clientID)).authURL }
            #expect(try await find() == .failure(.insecure))
            platform.authURL = " JavaScript:alert(1)"
            #expect(try await bed.repositories.platforms.update(platform))
            #expect(try await find() == .failure(.insecure), "kept for its lifetime")
            directory.invalidate()
            #expect(try await find() == .failure(.scheme("javascript")))
            platform.authURL = "https://moodle.example.edu/mod/lti/auth.php"
            #expect(try await bed.repositories.platforms.update(platform))
            directory.invalidate()
            #expect(try await find().map(\.text) == .success(platform.authURL))
        }
    }

    @Test("login works by GET as well as by POST")
    func loginByGet() async throws {
        try await LTITestbed.run { (bed) async throws in
            let hint = bed.platform.prepare(LaunchScenario())
            let query = FormURLEncoding.encode([
                ("iss", bed.platform.issuer), ("login_hint", "student-1"), ("target_link_uri", bed.toolURL + "/lti/launch"),
                ("lti_message_hint", hint), ("client_id", bed.platform.clientID),
            ])
            let page = try await bed.browser.get(bed.toolURL + "/lti/login?" + query)
            #expect(page.status == 302)
            let location = try #require(page.header("location"))
            let launched = try await bed.browser.finishLogin(at: location)
            #expect(launched.status == 200)
        }
    }

    @Test("an unknown issuer or client at login gets a page, not a redirect")
    func unknownIssuerAtLogin() async throws {
        try await LTITestbed.run { (bed) async throws in
            for fields in [
                [("iss", "https://evil.example"), ("login_hint", "x"), ("target_link_uri", bed.toolURL + "/lti/launch"), ("client_id", "c")],
                [("iss", bed.platform.issuer), ("login_hint", "x"), ("target_link_uri", bed.toolURL + "/lti/launch"), ("client_id", "other")],
                [("login_hint", "x"), ("target_link_uri", bed.toolURL + "/lti/launch")],
                // Another port on the same host starts with the same characters, but is not LabGate.
                [
                    ("iss", bed.platform.issuer), ("login_hint", "x"), ("target_link_uri", bed.toolURL + "0/lti/launch"),
                    ("client_id", bed.platform.clientID),
                ],
            ] {
                let page = try await bed.browser.post(bed.toolURL + "/lti/login", fields: fields)
                #expect((400..<500).contains(page.status))
                #expect(page.header("location") == nil)
                #expect(page.body.contains("The lab could not be opened"))
            }
        }
    }

    @Test("names and titles longer than a page shows are cut, and the launch goes on", arguments: LTITestbed.Storage.underTest)
    func longNamesAndTitles(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            var scenario = LaunchScenario.teacher()
            // As long as they can be within the launch form's 64 KB.
            scenario.name = String(repeating: "n", count: 20_000)
            scenario.contextTitle = String(repeating: "é", count: 5_000)
            let page = try await bed.launch(scenario)
            #expect(page.status == 303, "\(page.body.prefix(300))")
            let titles = try await bed.repositories.courses.page(after: nil, limit: 1000).map(\.title).filter { $0.hasPrefix("éé") }
            #expect(titles.map { $0.count } == [1000])
        }
    }

    @Test("a student of a configured activity gets a lab request, once however often they relaunch", arguments: LTITestbed.Storage.underTest)
    func studentOfConfiguredActivity(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let environment = try await bed.addEnvironment("linux-\(UUID().uuidString.prefix(6))", title: "Linux basics")
            // The teacher's launch leads to their course's page, where they choose the environment.
            let teacherLaunch = try await bed.launch(.teacher())
            #expect(teacherLaunch.status == 303)
            #expect(teacherLaunch.header("location")?.hasPrefix("/courses/") == true)
            let teacherPage = try await bed.follow(teacherLaunch)
            #expect(teacherPage.status == 200)
            #expect(teacherPage.body.contains("Choose…"))
            #expect(teacherPage.body.contains(environment.title))
            let form = try #require(teacherPage.form)
            let saved = try await bed.browser.submit(form, adding: [("environment", environment.name)])
            #expect(saved.status == 303)
            #expect(try await bed.follow(saved).body.contains("now opens \(environment.title)"))

            try await bed.withOtherBrowser { (student) async throws in
                let first = try await bed.launch(LaunchScenario(subject: "student-7"), in: student)
                // Post, redirect, get: the waiting page can be reloaded without posting the id_token again.
                #expect(first.status == 303)
                #expect(first.header("location")?.hasPrefix("/labs/") == true)
                let session = try #require(first.headers("set-cookie").first { $0.hasPrefix("labgate_session=") })
                #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=None"))
                let waiting = try await bed.follow(first, in: student)
                // The fast simulated cluster may have the lab ready already: then the page sends the student on.
                if waiting.status == 200 {
                    #expect(waiting.body.contains("Your lab is being prepared") && waiting.body.contains("Linux basics"))
                } else {
                    #expect(waiting.status == 303 && waiting.header("location")?.contains("/open/") == true)
                }
                let again = try await bed.launch(LaunchScenario(subject: "student-7"), in: student)
                #expect(again.header("location") == first.header("location"))
            }

            let platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            let student = try await bed.repositories.users.upsert(User(platformID: platform.id, subject: "student-7"))
            #expect(student.name == "Ada Lovelace")
            #expect(student.email == "ada@example.edu")
            let instances = try await bed.repositories.instances.list(userID: student.id)
            #expect(instances.count == 1)
            #expect(instances.first?.environmentID == environment.id)
            // The launch handed the instance to the in-process worker, which provisions it on the built-in simulator.
            var state = instances.first?.state
            for _ in 0..<500 where state != .ready && state != .failed {
                try await Task.sleep(for: .milliseconds(20))
                state = try await bed.repositories.instances.list(userID: student.id).first?.state
            }
            #expect(state == .ready)
        }
    }

    @Test("a student of an unconfigured activity is told the teacher has not set it up")
    func studentOfUnconfiguredActivity() async throws {
        try await LTITestbed.run { (bed) async throws in
            let page = try await bed.launch(LaunchScenario(resourceLinkID: "unconfigured"))
            #expect(page.status == 200)
            #expect(page.body.contains("Your teacher has not set up this lab yet"))
        }
    }

    @Test("launch roles map to LabGate roles in the course")
    func rolesAreRecorded() async throws {
        try await LTITestbed.run { (bed) async throws in
            _ = try await bed.launch(LaunchScenario(subject: "ta", roles: [LTIRoles.teachingAssistant]))
            try await bed.withOtherBrowser { (other) async throws in
                _ = try await bed.launch(LaunchScenario(subject: "learner"), in: other)
            }
            let platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            let course = try await bed.repositories.courses.upsert(
                Course(platformID: platform.id, deploymentID: bed.platform.deploymentID, contextID: "course-101", title: "Networks 101"))
            let assistant = try await bed.repositories.users.upsert(User(platformID: platform.id, subject: "ta"))
            let learner = try await bed.repositories.users.upsert(User(platformID: platform.id, subject: "learner"))
            #expect(try await bed.repositories.courses.role(of: assistant.id, in: course.id) == .teacher)
            #expect(try await bed.repositories.courses.role(of: learner.id, in: course.id) == .student)
        }
    }

    @Test("choosing an environment needs the teacher's session cookie and the form's token")
    func choosingNeedsSession() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("env-\(UUID().uuidString.prefix(6))", title: "Env")
            let page = try await bed.follow(try await bed.launch(.teacher()))
            let form = try #require(page.form)
            try await bed.withOtherBrowser { (stranger) async throws in
                let refused = try await stranger.submit(form, adding: [("environment", environment.name)])
                #expect(refused.status == 401)
            }
            var forged = form
            forged.fields = forged.fields.map { $0.0 == "csrf" ? ($0.0, "forged") : $0 }
            #expect(try await bed.browser.submit(forged, adding: [("environment", environment.name)]).status == 403)
            let unknown = try await bed.browser.submit(form, adding: [("environment", "no-such-environment")])
            #expect(unknown.status == 422)
            #expect(unknown.body.contains("environment: Choose one of the listed environments"))

            // A student's session of the same course cannot choose.
            try await bed.withOtherBrowser { (student) async throws in
                _ = try await bed.launch(LaunchScenario(subject: "student-x"), in: student)
                let sneaky = try await student.post(form.action, fields: [("environment", environment.name), ("csrf", "x")])
                #expect(sneaky.status == 403)
            }
        }
    }
}
