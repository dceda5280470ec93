import Foundation
import LabCore
import PlatformSim
import Testing

@testable import LTIGateway
@testable import LabGate

/// Grades from LabGate to the platform's gradebook (LTI AGS), against the test platform's
/// copy of Moodle 4.3's rules.
@Suite("Grades to the gradebook")
struct GradePassbackTests {
    /// A course whose activity has a column (or only the list, with `column: false`), a
    /// student who launched it, and the teacher's course page.
    static func gradedCourse(_ bed: LTITestbed, column: Bool = true, student: String = "ada") async throws -> (CourseID, ActivityID, SimBrowser.Page) {
        if column { bed.platform.gradebook.addLineItem(resourceLinkID: "link-1", label: "Lab 1") }
        let environment = try await bed.addEnvironment("graded-\(UUID().uuidString.prefix(6))", title: "Graded lab")
        try await bed.withOtherBrowser { (browser) async throws in
            #expect(
                try await bed.launch(LaunchScenario(subject: student, name: "Ada Lovelace", custom: ["environment": environment.name]), in: browser).status
                    == 303)
        }
        let (courseID, page) = try await TeachingTests.teach(bed)
        let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)
        return (courseID, activity.id, page)
    }

    static func gradeForm(_ bed: LTITestbed, _ courseID: CourseID, _ activityID: ActivityID, student: UserID, score: String, comment: String = "")
        async throws -> SimBrowser.Page
    {
        let token = try TeachingTests.csrf(in: try await bed.browser.get(bed.toolURL + "/courses/\(courseID)"))
        return try await bed.browser.post(
            bed.toolURL + "/courses/\(courseID)/activities/\(activityID)/grades",
            fields: [("csrf", token), ("student", student.rawValue), ("score", score), ("comment", comment)])
    }

    static func settled(_ bed: LTITestbed, _ activityID: ActivityID, _ userID: UserID, where done: (Grade) -> Bool = { $0.state != .pending }) async throws
        -> Grade
    {
        for _ in 0..<200 {
            if let grade = try await bed.repositories.grades.find(activityID: activityID, userID: userID), done(grade) { return grade }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try #require(try await bed.repositories.grades.find(activityID: activityID, userID: userID), "no grade recorded")
    }

    static func student(_ bed: LTITestbed, _ courseID: CourseID, subject: String = "ada") async throws -> UserID {
        try #require(try await bed.repositories.courses.members(of: courseID).first { $0.user.subject == subject }).user.id
    }

    @Test(
        "a teacher's grade reaches the column named in the launch: score content type, /scores before the query, ISO 8601 with milliseconds, the launch's sub; the course page says sent"
    )
    func teacherGrade() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let (courseID, activityID, page) = try await Self.gradedCourse(bed)
            #expect(page.body.contains("not sent"))
            let ada = try await Self.student(bed, courseID)
            let answer = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "80", comment: "<b>well done</b>")
            #expect(answer.status == 303)
            let grade = try await Self.settled(bed, activityID, ada)
            #expect(grade.state == .sent, "\(grade.detail ?? "")")
            let stored = try #require(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1"))
            #expect(stored.score == 80 && stored.gradingProgress == "FullyGraded" && stored.comment == "<b>well done</b>")
            let request = try #require(bed.platform.gradebook.scoreRequests.last)
            #expect(request.contentType == "application/vnd.ims.lis.v1.score+json")
            #expect(request.path.hasSuffix("/lineitems/1/lineitem/scores?type_id=1"))
            #expect(request.body.contains(#""userId":"ada""#))
            #expect(request.body.firstMatch(of: /"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/) != nil, "\(request.body)")
            let after = try await bed.browser.get(bed.toolURL + "/courses/\(courseID)")
            #expect(after.body.contains("sent at") && after.body.contains("80/100"))
            #expect(!after.body.contains("<b>well done</b>"), "the comment is escaped")
            let trail = try await bed.repositories.audit.list(AuditFilter(courseID: courseID), before: nil, limit: 20).map(\.action)
            #expect(trail.contains("grade.score") && trail.contains("grade.delivered"))
        }
    }

    @Test("two grades in the same second both go through (the second a second later, never a 409), one token serves both, and a 401 gets a new token once")
    func timestampsAndTokens() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let (courseID, activityID, _) = try await Self.gradedCourse(bed)
            let ada = try await Self.student(bed, courseID)
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "40")
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "90")
            let grade = try await Self.settled(bed, activityID, ada) { $0.state == .sent && $0.scoreGiven == 90 }
            #expect(grade.state == .sent)
            #expect(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1")?.score == 90)
            #expect(!bed.platform.gradebook.scoreRequests.contains { $0.status == 409 })
            #expect(bed.platform.gradebook.tokenRequests.filter { $0.contains("scope/score") }.count == 1)

            bed.platform.gradebook.revokeTokens()
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "95")
            #expect(try await Self.settled(bed, activityID, ada) { $0.scoreGiven == 95 && $0.state != .pending }.state == .sent)
            #expect(bed.platform.gradebook.tokenRequests.filter { $0.contains("scope/score") }.count == 2)
        }
    }

    @Test("without a column in the launch LabGate finds its own in the list, or makes one: never a second column")
    func findsOrMakesTheColumn() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            bed.platform.gradebook.setPageSize(1)
            bed.platform.gradebook.addLineItem(resourceLinkID: "another-link", label: "Quiz")
            let (courseID, activityID, _) = try await Self.gradedCourse(bed, column: false)
            let ada = try await Self.student(bed, courseID)
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "70")
            #expect(try await Self.settled(bed, activityID, ada).state == .sent)
            try await bed.withOtherBrowser { (browser) async throws in
                _ = try await bed.launch(LaunchScenario(subject: "alan", name: "Alan Turing"), in: browser)
            }
            let alan = try await Self.student(bed, courseID, subject: "alan")
            _ = try await Self.gradeForm(bed, courseID, activityID, student: alan, score: "60")
            #expect(try await Self.settled(bed, activityID, alan).state == .sent)
            let mine = bed.platform.gradebook.lineItems.filter { $0.resourceLinkId == "link-1" }
            #expect(mine.count == 1 && mine.first?.tag == "labgate")
            #expect(bed.platform.gradebook.grade(of: "alan", resourceLinkID: "link-1")?.score == 60)
        }
    }

    @Test(
        "refusals are recorded in the platform's words and not repeated: a scope not granted, a user who left (400); a platform that is down gets the score later"
    )
    func refusalsAndOutages() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            let (courseID, activityID, _) = try await Self.gradedCourse(bed)
            let ada = try await Self.student(bed, courseID)

            bed.platform.gradebook.setUnavailable(true)
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "50")
            let waiting = try await Self.settled(bed, activityID, ada) { $0.detail?.contains("waiting for the platform") == true }
            #expect(waiting.state == .pending)
            #expect(try await bed.browser.get(bed.toolURL + "/courses/\(courseID)").body.contains("pending"))
            bed.platform.gradebook.setUnavailable(false)
            #expect(try await Self.settled(bed, activityID, ada).state == .sent)
            #expect(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1")?.score == 50)

            bed.platform.gradebook.unenrol("ada")
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "55")
            let refused = try await Self.settled(bed, activityID, ada) { $0.scoreGiven == 55 && $0.state != .pending }
            #expect(refused.state == .refused && refused.detail?.contains("Incorrect score received") == true, "\(refused.detail ?? "")")
            let attempts = bed.platform.gradebook.scoreRequests.filter { $0.status == 400 }.count
            try await Task.sleep(for: .milliseconds(500))
            #expect(bed.platform.gradebook.scoreRequests.filter { $0.status == 400 }.count == attempts, "a refusal is not repeated")

            bed.platform.gradebook.grant([])
            bed.platform.gradebook.revokeTokens()
            _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "60")
            let notGranted = try await Self.settled(bed, activityID, ada) { $0.scoreGiven == 60 && $0.state != .pending }
            #expect(notGranted.state == .noColumn && notGranted.detail?.contains("Accept grades") == true)
        }
    }

    @Test("a grade that is not a number from 0 to 100, or for someone who is not a student of the course, is refused with words (422)")
    func badGradeForm() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (courseID, activityID, _) = try await Self.gradedCourse(bed)
            let ada = try await Self.student(bed, courseID)
            for score in ["", "abc", "-1", "101", "nan"] {
                let answer = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: score)
                #expect(answer.status == 422 && answer.body.contains("A grade is a number from 0 to 100"), "\(score)")
            }
            let teacher = try #require(try await bed.repositories.courses.members(of: courseID).first { $0.role != .student }).user.id
            #expect(try await Self.gradeForm(bed, courseID, activityID, student: teacher, score: "10").status == 422)
            #expect(try await bed.repositories.grades.list(courseID: courseID).isEmpty)
        }
    }

    @Test("opening the desktop the first time says Started, NotReady; after a grade, opening it again sends nothing that would clear it")
    func startedOnlyBeforeAGrade() async throws {
        try await LTITestbed.run(["queue.retryDelayMilliseconds": "100"]) { (bed) async throws in
            bed.platform.gradebook.addLineItem(resourceLinkID: "link-1", label: "Lab 1")
            let environment = try await bed.addEnvironment("graded-\(UUID().uuidString.prefix(6))", title: "Graded lab")
            let (courseID, _) = try await TeachingTests.teach(bed)
            try await bed.withOtherBrowser { (student) async throws in
                func openDesktop() async throws {
                    let launched = try await bed.launch(LaunchScenario(subject: "ada", custom: ["environment": environment.name]), in: student)
                    let waiting = try #require(launched.header("location"))
                    let ready = try #require(try await student.events(bed.toolURL + waiting + "/events").last)
                    let link = try #require(try JSONDecoder().decode([String: String].self, from: Data(ready.data.utf8))["link"])
                    #expect(try await student.get(link).status == 302)
                }
                try await openDesktop()
                let activityID = try #require(try await bed.repositories.courses.activities(of: courseID).first).id
                let ada = try await Self.student(bed, courseID)
                let started = try await Self.settled(bed, activityID, ada)
                #expect(started.state == .sent && started.activityProgress == "Started" && started.gradingProgress == "NotReady")
                #expect(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1")?.activityProgress == "Started")

                _ = try await Self.gradeForm(bed, courseID, activityID, student: ada, score: "85")
                #expect(try await Self.settled(bed, activityID, ada) { $0.scoreGiven == 85 && $0.state != .pending }.state == .sent)
                let sent = bed.platform.gradebook.scoreRequests.count
                try await openDesktop()
                try await Task.sleep(for: .milliseconds(300))
                #expect(bed.platform.gradebook.scoreRequests.count == sent)
                #expect(bed.platform.gradebook.grade(of: "ada", resourceLinkID: "link-1")?.score == 85)
            }
        }
    }

    @Test("a lab added by Deep Linking asks for its gradebook column from the start: label, maximum 100, the activity as resource id, tag labgate")
    func deepLinkingAsksForAColumn() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("dl-\(UUID().uuidString.prefix(6))", title: "Windows Server")
            var request = LaunchScenario.teacher()
            request.messageType = "LtiDeepLinkingRequest"
            let picker = try await bed.launch(request)
            let returning = try await bed.browser.submit(try #require(picker.form), adding: [("environment", environment.name)])
            _ = try await bed.browser.submit(try #require(returning.form))
            let claims = try await DeepLinkingTests.verifiedResponse(try #require(bed.platform.deepLinkingReturns.last), bed: bed)
            let item = try #require(claims.items.first)
            let lineItem = try #require(item.lineItem)
            #expect(lineItem.label == "Windows Server" && lineItem.scoreMaximum == 100 && lineItem.tag == "labgate")
            #expect(lineItem.resourceId == item.custom["labgate_activity"])
        }
    }
}
