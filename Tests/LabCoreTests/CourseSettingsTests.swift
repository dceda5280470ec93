import Foundation
import LabCore
import Testing

@Suite("Course settings")
struct CourseSettingsTests {
    @Test("a window is read in the course's time zone, summer time included, and closes at its end")
    func windowsInTheCoursesZone() throws {
        let settings = CourseSettings(timeZone: "Europe/Zurich", windows: [TimeWindow(start: "2026-07-06T09:00", end: "2026-07-06T12:00")])
        // 09:00 in Zurich in July is 07:00 UTC.
        let opening = Date(timeIntervalSince1970: 1_783_321_200)
        #expect(settings.isOpen(at: opening))
        #expect(!settings.isOpen(at: opening - 1))
        #expect(!settings.isOpen(at: opening + 3 * 3600))
        #expect(settings.nextOpening(after: opening - 60)?.start == "2026-07-06T09:00")
        #expect(CourseSettings().isOpen(at: opening))
    }

    @Test("limits name every field that leaves them")
    func limits() {
        let limits = CourseLimits(maxCores: 4, vlans: 2000...2099)
        let problems = limits.problems(
            of: CourseSettings(
                cores: 5, vlan: 3000, timeZone: "Nowhere", windows: [TimeWindow(start: "2026-02-30T09:00", end: "2026-03-01T09:00")]))
        #expect(problems.map(\.field) == ["cores", "vlan", "timeZone", "windows[0]"])
        #expect(limits.problems(of: CourseSettings(cores: 4, vlan: 2000)).isEmpty)
    }

    @Test("an environment's footprint adds its VMs, with the course's size for the first")
    func footprint() {
        let environment = Environment(name: "two", title: "Two", specification: #"{"vms":[{"cores":2,"memoryMiB":2048},{"template":1}]}"#)
        #expect(environment.footprint(with: nil) == ResourceUsage(instances: 1, cores: 3, memoryMiB: 2560))
        #expect(environment.footprint(with: CourseSettings(cores: 4, memoryMiB: 1024)) == ResourceUsage(instances: 1, cores: 5, memoryMiB: 1536))
        #expect(Quota(scope: .global, cores: 4).exceeded(by: ResourceUsage(instances: 1, cores: 2), adding: environment.footprint(with: nil)) == "4 cores")
    }
}
