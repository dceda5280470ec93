import Foundation
import LabCore
import PlatformSim
import Testing

@testable import LabGate

/// Quotas and time windows stop a new lab at the launch, with words for the student, a
/// refused line in the course's trail, and no instance (so no VM) at all.
@Suite("Quotas and time windows")
struct QuotaTests {
    static func student(_ subject: String, _ environment: LabCore.Environment) -> LaunchScenario {
        LaunchScenario(subject: subject, name: subject.capitalized, custom: ["environment": environment.name])
    }

    @Test(
        "a full course refuses the next student's lab and keeps the labs it has; a course's own quota outranks the one for every course",
        arguments: LTITestbed.Storage.underTest)
    func courseQuota(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let environment = try await bed.addEnvironment("quota-\(UUID().uuidString.prefix(6))", title: "Quota lab")
            let (course, _) = try await TeachingTests.teach(bed)
            // The servers are shared by tests running at once: only the embedded database may hold a quota for every course.
            try await bed.repositories.quotas.save(
                storage == .embedded ? Quota(scope: .everyCourse, instances: 1) : Quota(scope: .course(course), instances: 1))
            let ada = try await bed.launch(Self.student("ada", environment))
            #expect(ada.status == 303)
            try await bed.withOtherBrowser { (browser) async throws in
                let alan = try await bed.launch(Self.student("alan", environment), in: browser)
                #expect(alan.status == 429)
                #expect(alan.body.contains("Your course has reached its limit (1 lab at once)"))
            }
            // Ada's relaunch is no new lab: it passes.
            #expect(try await bed.launch(Self.student("ada", environment)).status == 303)
            #expect(try await bed.repositories.instances.usage(of: .course(course)).instances == 1)
            let refused = try #require(try await bed.repositories.audit.list(AuditFilter(courseID: course), before: nil, limit: 5).first)
            #expect(refused.outcome == .refused && refused.action == "instance.request" && refused.detail.contains("reached its limit"))

            // A quota of the course itself outranks the one for every course.
            try await bed.repositories.quotas.save(Quota(scope: .course(course), instances: 2))
            try await bed.withOtherBrowser { (browser) async throws in
                #expect(try await bed.launch(Self.student("alan", environment), in: browser).status == 303)
            }
        }
    }

    @Test("cores and memory add up across a course, the student's own count and the global capacity")
    func resourceQuotas() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("sized-\(UUID().uuidString.prefix(6))", title: "Sized lab")
            // Stored without sizes: each lab counts 1 core and 512 MiB.
            try await bed.repositories.quotas.save(Quota(scope: .global, memoryMiB: 1024))
            try await bed.repositories.quotas.save(Quota(scope: .eachStudent, instances: 1))
            #expect(try await bed.launch(Self.student("ada", environment)).status == 303)
            let second = try await bed.addEnvironment("sized2-\(UUID().uuidString.prefix(6))", title: "Second lab")
            var other = Self.student("ada", second)
            other.resourceLinkID = "link-2"
            let ownLimit = try await bed.launch(other)
            #expect(ownLimit.status == 429 && ownLimit.body.contains("You already have as many labs as a student may (1 lab at once)"))
            try await bed.withOtherBrowser { (browser) async throws in
                #expect(try await bed.launch(Self.student("alan", environment), in: browser).status == 303)
                let full = try await bed.launch(Self.student("cleo", environment), in: browser)
                #expect(full.status == 503 && full.body.contains("The lab service is full right now"))
            }
            #expect(try await bed.repositories.instances.usage(of: .all) == ResourceUsage(instances: 2, cores: 2, memoryMiB: 1024))
        }
    }

    @Test("outside the course's time windows a student gets no new lab and is told when it opens")
    func closedWindow() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("window-\(UUID().uuidString.prefix(6))", title: "Window lab")
            let (courseID, _) = try await TeachingTests.teach(bed)
            try await bed.repositories.courses.saveSettings(
                CourseSettings(
                    timeZone: "Europe/Zurich",
                    windows: [
                        TimeWindow(start: "2020-01-06T09:00", end: "2020-01-06T12:00"), TimeWindow(start: "2999-01-06T09:00", end: "2999-01-06T12:00"),
                    ]), for: courseID)
            try await bed.withOtherBrowser { (browser) async throws in
                let closed = try await bed.launch(Self.student("ada", environment), in: browser)
                #expect(closed.status == 403)
                #expect(closed.body.contains("This lab is closed now. It opens next on 2999-01-06 at 09:00 (Europe/Zurich)."))
            }
            #expect(try await bed.repositories.instances.list(courseID: courseID).isEmpty)
        }
    }
}
