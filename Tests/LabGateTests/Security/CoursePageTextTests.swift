import Foundation
import LabCore
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

@Suite("The course page says only what LabGate wrote")
struct CoursePageTextTests {
    @Test("a notice in the link shows nothing; the notice of a saved form shows its text, to its teacher only")
    func noticesAreCodes() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (courseID, page) = try await TeachingTests.teach(bed)
            let forged = "Your session expired, log in at https://evil.example"
            let linked = try await bed.browser.get(
                bed.toolURL + "/courses/\(courseID)?notice=" + (forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            #expect(linked.status == 200)
            #expect(!linked.body.contains("evil.example") && !linked.body.contains(#"id="notice""#))

            let saved = try await bed.browser.post(
                bed.toolURL + "/courses/\(courseID)/settings",
                fields: [
                    ("csrf", try TeachingTests.csrf(in: page)), ("cores", "2"), ("timeZone", "UTC"),
                ])
            let location = try #require(saved.header("location"))
            #expect(!location.contains("saved"))
            let shown = try await bed.follow(saved)
            #expect(shown.body.contains(#"id="notice""#) && shown.body.contains("settings are saved"))
            // Another teacher of the course following the same link sees no notice.
            try await bed.withOtherBrowser { (colleague) async throws in
                _ = try await TeachingTests.teach(bed, .teacher(subject: "colleague"), in: colleague)
                let theirs = try await colleague.get(bed.toolURL + location)
                #expect(theirs.status == 200 && !theirs.body.contains(#"id="notice""#))
            }
        }
    }

    @Test("more time windows than a course keeps are refused with a clear error and nothing is saved")
    func windowsCapped() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (courseID, page) = try await TeachingTests.teach(bed)
            let windows = (0..<1400).map { day in
                let date = Date(timeIntervalSince1970: 1_800_000_000 + Double(day) * 86_400).formatted(.iso8601.year().month().day())
                return "\(date)T09:00 \(date)T10:00"
            }.joined(separator: "\n")
            let refused = try await bed.browser.post(
                bed.toolURL + "/courses/\(courseID)/settings",
                fields: [
                    ("csrf", try TeachingTests.csrf(in: page)), ("timeZone", "UTC"), ("windows", windows),
                ])
            #expect(refused.status == 422)
            #expect(refused.body.contains("at most 200 time windows; this has 1400"))
            #expect(try await bed.repositories.courses.settings(of: courseID) == CourseSettings())
        }
    }
}
