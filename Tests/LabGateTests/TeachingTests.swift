import Foundation
import Hummingbird
import LabCore
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

/// The teacher's course page over HTTP, as Moodle's iframe would load it.
@Suite("Teacher's course page")
struct TeachingTests {
    static func csrf(in page: SimBrowser.Page) throws -> String {
        let match = try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/), "no form token on \(page.url)")
        return String(match.1)
    }

    /// A teacher's launch of the course, followed to its page: the course's id and the page.
    static func teach(_ bed: LTITestbed, _ scenario: LaunchScenario = .teacher(), in browser: SimBrowser? = nil) async throws -> (CourseID, SimBrowser.Page) {
        let launch = try await bed.launch(scenario, in: browser)
        let location = try #require(launch.header("location"))
        #expect(launch.status == 303 && location.hasPrefix("/courses/"))
        let id = String(location.dropFirst("/courses/".count).prefix { $0 != "#" && $0 != "?" })
        return (CourseID(id), try await bed.follow(launch, in: browser))
    }

    static func waitUntil(
        _ state: LabInstanceState, _ id: LabInstanceID, in bed: LTITestbed, timeout: Duration = .seconds(30)
    ) async throws -> LabInstance {
        var instance: LabInstance?
        try await eventually("lab \(id) \(state)", timeout: timeout) {
            instance = try await bed.repositories.instances.find(id: id)
            return instance?.state == state
        }
        return try #require(instance)
    }

    @Test(
        "a teacher chooses the environment, sees a student's lab appear, resets it; every change is in the audit trail", arguments: LTITestbed.Storage.underTest
    )
    func teacherSteersTheCourse(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let environment = try await bed.addEnvironment("course-\(UUID().uuidString.prefix(6))", title: "Course lab")
            let (courseID, page) = try await Self.teach(bed)
            #expect(page.body.contains("No student has opened the course's lab yet"))
            let chosen = try await bed.browser.submit(try #require(page.form), adding: [("environment", environment.name)])
            #expect(chosen.status == 303)

            try await bed.withOtherBrowser { (student) async throws in
                #expect(try await bed.launch(LaunchScenario(subject: "ada", name: "Ada Lovelace"), in: student).status == 303)
            }
            let roster = try await bed.browser.get(bed.toolURL + "/courses/\(courseID)/roster")
            #expect(roster.status == 200 && roster.body.contains("Ada Lovelace") && roster.body.contains("Course lab"))
            let instance = try #require(try await bed.repositories.instances.list(courseID: courseID).first)
            _ = try await Self.waitUntil(.ready, instance.id, in: bed)

            let token = try Self.csrf(in: try await bed.browser.get(bed.toolURL + "/courses/\(courseID)"))
            let reset = try await bed.browser.post(bed.toolURL + "/courses/\(courseID)/instances/\(instance.id)/reset", fields: [("csrf", token)])
            #expect(reset.status == 303)
            let after = try await bed.follow(reset)
            #expect(after.body.contains("Asked to reset the lab"))
            let resetting = try #require(try await bed.repositories.instances.find(id: instance.id))
            // The fast simulated cluster may already have the reset's VM starting again when the page answers.
            #expect([.resetting, .starting, .waitingForAddress, .ready].contains(resetting.state) && resetting.version > instance.version)

            let events = try await bed.repositories.audit.list(AuditFilter(courseID: courseID), before: nil, limit: 10)
            let teacher = try #require(try await bed.repositories.courses.members(of: courseID).first { $0.role == .teacher })
            #expect(events.map(\.action) == ["instance.reset", "instance.request", "activity.set-environment"])
            #expect(events[0].actor == "user:\(teacher.user.id)" && events[0].subject == "instance/\(instance.id)" && events[0].address == "127.0.0.1")
            #expect(events[1].actor.hasPrefix("user:") && events[1].actor != events[0].actor)
            #expect(after.body.contains("instance.reset") && after.body.contains("Grace Hopper"))
        }
    }

    @Test("settings outside the admin's limits are refused field by field and nothing is saved; valid ones are kept")
    func settingsWithinLimits() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (courseID, page) = try await Self.teach(bed)
            let token = try Self.csrf(in: page)
            let url = bed.toolURL + "/courses/\(courseID)/settings"
            let refused = try await bed.browser.post(
                url,
                fields: [
                    ("csrf", token), ("cores", "99"), ("memoryMiB", "lots"), ("vlan", "12"), ("timeZone", "Mars/Olympus"),
                    ("windows", "2026-11-23T09:00 2026-11-23T08:00"),
                ])
            #expect(refused.status == 422)
            for text in [
                "Cores must be from 1 to 8", "lots is not a whole number", "Courses may not choose a VLAN", "Mars/Olympus is not a time zone",
                "A window runs from",
            ] {
                #expect(refused.body.contains(text), "missing: \(text)")
            }
            #expect(try await bed.repositories.courses.settings(of: courseID) == CourseSettings())

            let saved = try await bed.browser.post(
                url,
                fields: [
                    ("csrf", token), ("cores", "2"), ("memoryMiB", "4096"), ("timeZone", "Europe/Zurich"),
                    ("windows", "2026-11-23T09:00 2026-11-23T12:00\n2026-11-30T09:00 2026-11-30T12:00"),
                ])
            #expect(saved.status == 303)
            let settings = try await bed.repositories.courses.settings(of: courseID)
            #expect(settings.cores == 2 && settings.memoryMiB == 4096 && settings.timeZone == "Europe/Zurich" && settings.windows.count == 2)
            let outcomes = try await bed.repositories.audit.list(AuditFilter(courseID: courseID), before: nil, limit: 5).map(\.outcome)
            #expect(outcomes == [.succeeded, .refused])
        }
    }

    @Test("prepare now makes labs for everyone who launched before, sized by the course's settings")
    func prepareNow() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("prep-\(UUID().uuidString.prefix(6))", title: "Prepared lab")
            let (courseID, page) = try await Self.teach(bed)
            try await bed.withOtherBrowser { (student) async throws in
                // Before the teacher chose an environment: enrolled, but no lab yet.
                for subject in ["bob", "cleo"] {
                    #expect(try await bed.launch(LaunchScenario(subject: subject, name: subject.capitalized), in: student).status == 200)
                }
            }
            _ = try await bed.browser.submit(try #require(page.form), adding: [("environment", environment.name)])
            let token = try Self.csrf(in: page)
            _ = try await bed.browser.post(bed.toolURL + "/courses/\(courseID)/settings", fields: [("csrf", token), ("cores", "3"), ("timeZone", "UTC")])
            let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)
            let prepared = try await bed.browser.post(
                bed.toolURL + "/courses/\(courseID)/prepare", fields: [("csrf", token), ("activity", activity.id.rawValue)])
            #expect(prepared.status == 303)
            #expect(try await bed.follow(prepared).body.contains("Prepare now: 2 prepared, 0 already there, 0 refused"))
            let instances = try await bed.repositories.instances.list(courseID: courseID)
            #expect(instances.count == 2 && instances.allSatisfy { $0.cores == 3 && $0.memoryMiB == 512 })
            let again = try await bed.browser.post(
                bed.toolURL + "/courses/\(courseID)/prepare", fields: [("csrf", token), ("activity", activity.id.rawValue)])
            #expect(try await bed.follow(again).body.contains("0 prepared, 2 already there"))
        }
    }

    @Test(
        "every course route: 401 without a session, 403 for the course's student and another course's teacher, served for its teacher and the platform's admin; another course's lab is 404"
    )
    func authorizationMatrix() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("matrix-\(UUID().uuidString.prefix(6))", title: "Matrix")
            let (courseID, page) = try await Self.teach(bed, LaunchScenario.teacher())
            _ = try await bed.browser.submit(try #require(page.form), adding: [("environment", environment.name)])
            let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)
            try await bed.withOtherBrowser { (student) async throws in
                let launched = try await bed.launch(LaunchScenario(subject: "matrix-student"), in: student)
                #expect(launched.status == 303)
                let studentToken = try Self.csrf(in: try await bed.follow(launched, in: student))
                try await bed.withOtherBrowser { (otherTeacher) async throws in
                    try await bed.withOtherBrowser { (nobody) async throws in
                        try await bed.withOtherBrowser { (admin) async throws in
                            var elsewhere = LaunchScenario.teacher(subject: "other-teacher")
                            elsewhere.contextID = "course-202"
                            let (otherCourse, otherPage) = try await Self.teach(bed, elsewhere, in: otherTeacher)
                            let otherToken = try Self.csrf(in: otherPage)
                            // The platform's admin, launched from a course of their own: every course of the platform is theirs to steer.
                            var administrator = LaunchScenario.teacher(subject: "platform-admin")
                            administrator.roles = [LTIRoles.institutionAdministrator]
                            administrator.contextID = "course-303"
                            let adminToken = try Self.csrf(in: try await Self.teach(bed, administrator, in: admin).1)
                            let instance = try #require(try await bed.repositories.instances.list(courseID: courseID).first)
                            let teacherToken = try Self.csrf(in: page)
                            #expect(otherCourse != courseID)

                            for route in CourseController<BasicRequestContext>.routes {
                                let path = route.path.replacingOccurrences(of: ":course", with: courseID.rawValue)
                                    .replacingOccurrences(of: ":activity", with: activity.id.rawValue)
                                    .replacingOccurrences(of: ":instance", with: instance.id.rawValue).replacingOccurrences(of: ":action", with: "stop")
                                func send(_ browser: SimBrowser, token: String) async throws -> Int {
                                    let answer =
                                        route.method == .get
                                        ? try await browser.get(bed.toolURL + path) : try await browser.post(bed.toolURL + path, fields: [("csrf", token)])
                                    return answer.status
                                }
                                #expect(try await send(nobody, token: "none") == 401, "\(route.method) \(route.path) without a session")
                                #expect(try await send(student, token: studentToken) == 403, "\(route.method) \(route.path) as the course's student")
                                #expect(try await send(otherTeacher, token: otherToken) == 403, "\(route.method) \(route.path) as another course's teacher")
                                let status = try await send(bed.browser, token: teacherToken)
                                #expect([200, 303, 422].contains(status), "\(route.method) \(route.path) as its teacher: \(status)")
                                let asAdmin = try await send(admin, token: adminToken)
                                #expect([200, 303, 422].contains(asAdmin), "\(route.method) \(route.path) as the platform's admin: \(asAdmin)")
                            }
                            // The other course's teacher, on their own course's page, cannot reach this course's lab.
                            let probe = try await otherTeacher.post(
                                bed.toolURL + "/courses/\(otherCourse)/instances/\(instance.id)/stop", fields: [("csrf", otherToken)])
                            #expect(probe.status == 404)
                        }
                    }
                }
            }
        }
    }
}
