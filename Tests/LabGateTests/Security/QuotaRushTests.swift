import Foundation
import LabCore
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

@Suite("A class that clicks at once under a quota")
struct QuotaRushTests {
    @Test(
        "20 students at once in a course with quota 5: exactly 5 labs; the rest hear the course is full, and a busy answer is an HTML page that retries by itself",
        // Embedded only: under the whole suite the shared test MariaDB, busy with other tests'
        // schema work, sometimes held every statement of this rush ~30 s before the quota's
        // turn, past the test browser's 30 s (1 run of 5). MariaDB and Redis are covered by
        // RushOverTwoProcessesTests, which runs alone.
        arguments: [LTITestbed.Storage.embedded])
    func rush(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let environment = try await bed.addEnvironment("rush-\(UUID().uuidString.prefix(6))", title: "Rush lab")
            let (course, _) = try await TeachingTests.teach(bed)
            try await bed.repositories.quotas.save(Quota(scope: .course(course), instances: 5))
            let answers = try await withThrowingTaskGroup(of: (Int, String?, String).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await bed.withOtherBrowser { (browser) async throws in
                            // A busy page retries by itself, as a browser follows its refresh (sooner here).
                            var page = try await bed.launch(QuotaTests.student("rush-\(index)", environment), in: browser)
                            for _ in 0..<8 {
                                guard page.status == 503, let refresh = page.refresh else { break }
                                #expect(page.header("content-type")?.hasPrefix("text/html") == true, "\(page.body.prefix(200))")
                                try await Task.sleep(for: .seconds(1))
                                page = try await browser.get(refresh.url)
                            }
                            return (page.status, page.header("content-type"), page.body)
                        }
                    }
                }
                return try await group.reduce(into: [(Int, String?, String)]()) { $0.append($1) }
            }
            #expect(answers.filter { $0.0 == 303 }.count == 5)
            for (status, type, body) in answers where status != 303 {
                #expect(status == 429, "\(status): \(body.prefix(200))")
                #expect(type?.hasPrefix("text/html") == true && body.hasPrefix("<!doctype html>"), "\(status) \(type ?? "-"): \(body.prefix(200))")
            }
            #expect(try await bed.repositories.instances.usage(of: .course(course)).instances == 5)
        }
    }
}
