import Foundation
import LabCore
import PlatformSim
import Testing
import WebSupport

@testable import LabGate

/// The course's roster from the platform (LTI NRPS), against the test platform's copy of Moodle 4.3's service.
@Suite("The roster from the platform")
struct RosterTests {
    static func sync(_ bed: LTITestbed, _ courseID: CourseID) async throws -> SimBrowser.Page {
        let token = try TeachingTests.csrf(in: try await bed.browser.get(bed.toolURL + "/courses/\(courseID)"))
        let answer = try await bed.browser.post(bed.toolURL + "/courses/\(courseID)/roster", fields: [("csrf", token)])
        #expect(answer.status == 303)
        return try await bed.follow(answer)
    }

    static func learner(_ number: Int) -> SimGradebook.SimMember {
        SimGradebook.SimMember(subject: "s\(number)", name: "Student \(number)", email: "s\(number)@example.edu", roles: [LTIRoles.learner])
    }

    @Test(
        "Sync roster reads every learner, page after page by the platform's own next links (which drop the role, as Moodle's do), and says who opened the lab")
    func readsEveryPage() async throws {
        try await LTITestbed.run { (bed) async throws in
            try await bed.withOtherBrowser { (student) async throws in
                _ = try await bed.launch(LaunchScenario(subject: "ada", name: "Ada Lovelace"), in: student)
            }
            for number in 1...230 { bed.platform.gradebook.enrol(Self.learner(number)) }
            let (courseID, _) = try await TeachingTests.teach(bed)
            // Opening the page may have had a worker read it first (it was never read): the teacher's reading finds the same.
            let page = try await Self.sync(bed, courseID)
            #expect(page.body.contains("The roster is read: 231 enrolled, ") && page.body.contains(" new, 0 left"))
            let requests = bed.platform.gradebook.rosterRequests
            #expect(requests.count >= 3)
            #expect(requests.last?.contains("from=200") == true && requests.last?.contains("role=") == false)
            let list = try await bed.repositories.enrolments.list(courseID: courseID)
            #expect(list.members.count == 231 && list.readAt != nil && list.problem == nil)
            #expect(!list.members.contains { $0.subject == "teacher-1" }, "only learners")
            let shown = try await bed.browser.get(bed.toolURL + "/courses/\(courseID)")
            #expect(shown.body.contains("231 students enrolled"))
            #expect(shown.body.contains("<td>Ada Lovelace</td><td>ada@example.edu</td><td>opened</td>"))
            #expect(shown.body.contains("<td>Student 7</td><td>s7@example.edu</td><td>not yet</td>"))
        }
    }

    @Test("a student the platform no longer lists is marked as left, never removed; one who comes back rejoins")
    func leaversAreMarked() async throws {
        try await LTITestbed.run { (bed) async throws in
            for number in 1...3 { bed.platform.gradebook.enrol(Self.learner(number)) }
            let (courseID, _) = try await TeachingTests.teach(bed)
            _ = try await Self.sync(bed, courseID)
            bed.platform.gradebook.unenrol("s2")
            let after = try await Self.sync(bed, courseID)
            #expect(after.body.contains("2 enrolled, 0 new, 1 left"))
            #expect(after.body.contains("left the course on"))
            #expect(try await bed.repositories.enrolments.list(courseID: courseID).members.first { $0.subject == "s2" }?.leftAt != nil)
            bed.platform.gradebook.enrol(Self.learner(2))
            #expect(try await Self.sync(bed, courseID).body.contains("3 enrolled, 1 new, 0 left"))
        }
    }

    @Test("a roster that is not JSON, a next link to another host, or a scope not granted is refused in words; the roster read before stays")
    func badAnswersKeepTheRoster() async throws {
        try await LTITestbed.run { (bed) async throws in
            for number in 1...4 { bed.platform.gradebook.enrol(Self.learner(number)) }
            let (courseID, _) = try await TeachingTests.teach(bed)
            _ = try await Self.sync(bed, courseID)
            let members = #"{"id":"x","context":{"id":"2"},"members":[{"status":"Active","user_id":"s9","roles":["Learner"]}]}"#
            let cases: [((body: String, link: String?)?, String)] = [
                (("<html>Moodle is upgrading</html>", nil), "not the JSON of a membership container"),
                ((members, "<https://evil.example/steal?from=1>; rel=\"next\""), "not on the platform's own host"),
            ]
            for (answer, words) in cases {
                bed.platform.gradebook.overrideRoster(answer)
                let page = try await Self.sync(bed, courseID)
                #expect(page.body.contains("The roster could not be read") && page.body.contains(HTMLPage.escape(words)), "\(words)")
                let list = try await bed.repositories.enrolments.list(courseID: courseID)
                #expect(list.members.filter { $0.leftAt == nil }.count == 4 && list.problem?.contains(words) == true)
            }
            bed.platform.gradebook.overrideRoster(nil)
            bed.platform.gradebook.grant([])
            bed.platform.gradebook.revokeTokens()
            #expect(try await Self.sync(bed, courseID).body.contains("does not let LabGate read the roster"))
        }
    }

    @Test("a course whose launches named no roster service says what to do; an old roster is read by a worker when the page is opened")
    func noServiceAndStaleRoster() async throws {
        try await LTITestbed.run { (bed) async throws in
            var teacher = LaunchScenario.teacher()
            teacher.rosterService = false
            let (courseID, page) = try await TeachingTests.teach(bed, teacher)
            #expect(page.body.contains("open the activity once as a teacher"))
            #expect(try await bed.repositories.enrolments.list(courseID: courseID).readAt == nil)

            bed.platform.gradebook.enrol(Self.learner(1))
            _ = try await TeachingTests.teach(bed)  // a launch that names the service
            for _ in 0..<200 where try await bed.repositories.enrolments.list(courseID: courseID).readAt == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            let list = try await bed.repositories.enrolments.list(courseID: courseID)
            #expect(list.readAt != nil && list.members.map(\.subject) == ["s1"])
        }
    }

    @Test("the lab of a student who left is deleted once the grace period has passed, never before", arguments: [(0, true), (24, false)])
    func leaversLabGoesAfterTheGrace(graceHours: Int, deleted: Bool) async throws {
        try await LTITestbed.run(["lti.rosterLeaverGraceHours": String(graceHours)]) { (bed) async throws in
            let environment = try await bed.addEnvironment("left-\(UUID().uuidString.prefix(6))", title: "Linux")
            try await bed.withOtherBrowser { (student) async throws in
                _ = try await bed.launch(LaunchScenario(subject: "ada", custom: ["environment": environment.name]), in: student)
            }
            let (courseID, _) = try await TeachingTests.teach(bed)
            let lab = try #require(try await bed.repositories.instances.list(courseID: courseID).first)
            _ = try await Self.sync(bed, courseID)
            bed.platform.gradebook.unenrol("ada")
            _ = try await Self.sync(bed, courseID)
            let after = try #require(try await bed.repositories.instances.find(id: lab.id))
            #expect([.deleting, .deleted].contains(after.state) == deleted, "\(after.state)")
            let trail = try await bed.repositories.audit.list(AuditFilter(subject: "instance/\(lab.id)"), before: nil, limit: 10)
            #expect(trail.contains { $0.action == "instance.delete" && $0.detail.contains("left the course") } == deleted)
        }
    }

    @Test("the rosters a worker reads again are those older than their age, oldest first, and only where the platform lists members")
    func rostersToReadAgain() async throws {
        try await LTITestbed.run { (bed) async throws in
            bed.platform.gradebook.enrol(Self.learner(1))
            let (courseID, _) = try await TeachingTests.teach(bed)
            _ = try await Self.sync(bed, courseID)
            let read = try #require(try await bed.repositories.enrolments.list(courseID: courseID).readAt)
            #expect(try await bed.repositories.enrolments.coursesToRead(readBefore: read + 120, limit: 10) == [courseID])
            #expect(try await bed.repositories.enrolments.coursesToRead(readBefore: read - 1, limit: 10).isEmpty)
        }
    }
}
