import Foundation
import LabCore
import PlatformSim
import Testing
import WebSupport

@testable import LabGate

/// Preparing a class from the teacher's course page: what is refused and why, the plan
/// listed with its progress, and removing it.
@Suite("Classes prepared ahead, on the course page")
struct ClassPreparationPageTests {
    @Test("a class is added in the course's time zone, a past or overlapping one refused with the reason, and removed with its unopened labs")
    func addAndRemove() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("class-\(UUID().uuidString.prefix(6))", title: "Networks lab")
            let (courseID, page) = try await TeachingTests.teach(bed)
            _ = try await bed.browser.submit(try #require(page.form), adding: [("environment", environment.name)])
            let token = try TeachingTests.csrf(in: page)
            _ = try await bed.browser.post(bed.toolURL + "/courses/\(courseID)/settings", fields: [("csrf", token), ("timeZone", "Europe/Zurich")])
            let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)
            func add(_ start: String, minutes: String = "90", spares: String = "4") async throws -> SimBrowser.Page {
                try await bed.browser.post(
                    bed.toolURL + "/courses/\(courseID)/classes",
                    fields: [
                        ("csrf", token), ("activity", activity.id.rawValue), ("start", start), ("minutes", minutes), ("attendance", "80"),
                        ("spares", spares), ("spareBuffer", "1"),
                    ])
            }
            let zurich = DateFormatter()
            zurich.locale = Locale(identifier: "en_US_POSIX")
            zurich.timeZone = TimeZone(identifier: "Europe/Zurich")
            zurich.dateFormat = "yyyy-MM-dd'T'HH:mm"
            let inTwoDays = Date().addingTimeInterval(2 * 86400)
            let start = zurich.string(from: inTwoDays)

            let past = try await add("2020-01-06T09:00")
            #expect(past.status == 422 && past.body.contains("the class must start in the future"), "\(past.body)")
            let garbled = try await add("next monday")
            #expect(garbled.status == 422 && garbled.body.contains("like 2026-12-07T09:00 (Europe/Zurich)"))
            let negative = try await add(start, spares: "-3")
            #expect(negative.status == 422 && negative.body.contains("spares are from 0 to 500"))

            let added = try await add(start)
            #expect(added.status == 303)
            let listed = try await bed.follow(added)
            #expect(listed.body.contains("labs will be ready for the class at \(start.replacingOccurrences(of: "T", with: " ")) (Europe/Zurich)"))
            let session = try #require(try await bed.repositories.classSessions.list(courseID: courseID, since: Date()).first)
            #expect(abs(session.startsAt.timeIntervalSince(zurich.date(from: start)!)) < 1, "the start is read in the course's time zone")
            #expect(session.endsAt.timeIntervalSince(session.startsAt) == 5400 && session.attendancePercent == 80 && session.spares == 4)
            #expect(listed.body.contains("id=\"class-\(session.id)\"") && listed.body.contains("Times are in Europe/Zurich"))

            let overlapping = try await add(zurich.string(from: inTwoDays.addingTimeInterval(3600)))
            #expect(overlapping.status == 422 && overlapping.body.contains("another prepared class of this lab overlaps it"), "\(overlapping.body)")
            #expect(try await bed.repositories.classSessions.list(courseID: courseID, since: Date()).count == 1, "nothing merged, nothing added")

            let removed = try await bed.browser.post(bed.toolURL + "/courses/\(courseID)/classes/\(session.id)/remove", fields: [("csrf", token)])
            #expect(removed.status == 303)
            #expect(try await bed.follow(removed).body.contains("No class is prepared."))
            let trail = try await bed.repositories.audit.list(AuditFilter(courseID: courseID), before: nil, limit: 10).map { "\($0.action) \($0.outcome)" }
            #expect(trail.prefix(2) == ["class.remove succeeded", "class.prepare refused"], "\(trail)")
        }
    }

    @Test("the progress line: when preparing begins, how many are ready, on time or behind, and under way")
    func progress() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var session = ClassSession(
            courseID: CourseID("c"), environmentID: EnvironmentID("e"), startsAt: start, endsAt: start + 3600, spares: 2, createdAt: start - 86400)
        #expect(HTMLPage.classProgress(session, [], now: start - 7200, zone: "UTC").hasPrefix("Planned"))
        session.plan = ClassSession.Plan(labs: 4, cloningStarts: start - 600, powerOn: start - 200, expectedReady: start - 60)
        #expect(
            HTMLPage.classProgress(session, [], now: start - 7200, zone: "UTC")
                == "4 labs; preparing begins at \(ClassTime.clock(start - 600, in: "UTC")) and they power on at \(ClassTime.clock(start - 200, in: "UTC"))."
        )
        func lab(_ state: LabInstanceState, spare: Bool = false) -> LabInstance {
            LabInstance(userID: UserID("u"), environmentID: session.environmentID, state: state, createdAt: start, isSpare: spare)
        }
        let labs = [lab(.ready), lab(.stopped), lab(.cloning), lab(.ready, spare: true)]
        let clock = ClassTime.clock(start, in: "UTC")
        #expect(
            HTMLPage.classProgress(session, labs, now: start - 300, zone: "UTC")
                == "2 of 4 ready, 1 made and powering on at \(ClassTime.clock(start - 200, in: "UTC")), on time for \(clock).")
        session.plan?.expectedReady = start + 120
        #expect(
            HTMLPage.classProgress(session, labs, now: start - 300, zone: "UTC").hasSuffix(
                "behind: the last should be online at \(ClassTime.clock(start + 120, in: "UTC"))."))
        #expect(HTMLPage.classProgress(session, labs, now: start + 60, zone: "UTC") == "Under way: 1 spares waiting; 3 prepared labs not opened yet.")
    }

    @Test("classes are added for every time window of the course, and for every event of Moodle's calendar, in the next two weeks")
    func fromWindowsAndCalendar() async throws {
        try await LTITestbed.run(webServices: SimMoodleSite.functions) { (bed) async throws in
            MoodleWebServicesTests.moodleCourse(bed)
            let environment = try await bed.addEnvironment("class-\(UUID().uuidString.prefix(6))", title: "Networks lab")
            let (courseID, page) = try await TeachingTests.teach(bed, MoodleWebServicesTests.person("3", learner: false))
            _ = try await bed.browser.submit(try #require(page.form), adding: [("environment", environment.name)])
            let token = try TeachingTests.csrf(in: page)
            let utc = DateFormatter()
            utc.locale = Locale(identifier: "en_US_POSIX")
            utc.timeZone = TimeZone(identifier: "UTC")
            utc.dateFormat = "yyyy-MM-dd'T'HH:mm"
            let day = 86400.0
            let windows = [(2 * day, 2 * day + 7200), (9 * day, 9 * day + 5400), (30 * day, 30 * day + 3600), (-day, -day + 3600)]
                .map { "\(utc.string(from: Date() + $0.0)) \(utc.string(from: Date() + $0.1))" }.joined(separator: "\n")
            _ = try await bed.browser.post(bed.toolURL + "/courses/\(courseID)/settings", fields: [("csrf", token), ("timeZone", "UTC"), ("windows", windows)])
            let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)
            func add(_ repeating: String) async throws -> SimBrowser.Page {
                try await bed.browser.post(
                    bed.toolURL + "/courses/\(courseID)/classes",
                    fields: [("csrf", token), ("activity", activity.id.rawValue), ("repeat", repeating), ("attendance", "90")])
            }
            let fromWindows = try await add("windows")
            #expect(fromWindows.status == 303)
            #expect(try await bed.follow(fromWindows).body.contains("labs will be ready for 2 classes."), "the two windows of the next two weeks")
            var sessions = try await bed.repositories.classSessions.list(courseID: courseID, since: Date())
            #expect(sessions.map(\.source) == [.window, .window] && sessions.map { $0.endsAt.timeIntervalSince($0.startsAt) } == [7200, 5400])

            let fromCalendar = try await add("calendar")
            #expect(fromCalendar.status == 303, "\(fromCalendar.body)")
            sessions = try await bed.repositories.classSessions.list(courseID: courseID, since: Date())
            let event = try #require(sessions.first { $0.source == .calendar }, "Moodle's event in an hour, two hours long")
            #expect(event.endsAt.timeIntervalSince(event.startsAt) == 7200 && event.attendancePercent == 90)

            let again = try await add("windows")
            #expect(again.status == 422 && again.body.contains("overlaps"), "the same windows again overlap the classes added")
        }
    }
}
