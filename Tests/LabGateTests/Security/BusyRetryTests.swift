import Foundation
import Hummingbird
import HummingbirdTesting
import LTIGateway
import PlatformSim
import TestSupport
import Testing
import WebSupport

@testable import LabCore
@testable import LabGate

@Suite("A launch that meets a busy LabGate retries by itself")
struct BusyRetryTests {
    @Test(
        "a launch whose quota turn does not come gets an HTML page with Retry-After that retries by itself, once, from LabGate's own page only",
        // The test holds the course's turn from outside, which only a shared (Redis) store allows.
        .enabled(if: TestConfig.serversUnderTest))
    func retriesByItself() async throws {
        try await LTITestbed.run(storage: .servers) { (bed) async throws in
            let environment = try await bed.addEnvironment("busy-\(UUID().uuidString.prefix(6))", title: "Busy lab")
            let (course, _) = try await TeachingTests.teach(bed)
            try await bed.repositories.quotas.save(Quota(scope: .course(course), instances: 5))
            let turn = LaunchAdmission.turn(of: .course(course), userID: UserID("nobody"), courseID: course)
            try await bed.ephemeral.set(turn, to: "a process that hangs", ttl: .seconds(60))

            try await bed.withOtherBrowser { (browser) async throws in
                let busy = try await bed.launch(QuotaTests.student("busy-student", environment), in: browser)
                #expect(busy.status == 503)
                #expect(busy.header("content-type")?.hasPrefix("text/html") == true)
                #expect(busy.header("retry-after").flatMap(Int.init).map { (3...7).contains($0) } == true, "\(busy.headers)")
                #expect(busy.body.contains("tries again by itself"))
                let refresh = try #require(busy.refresh, "no refresh in \(busy.body)")
                #expect(refresh.url == bed.toolURL + "/lti/launch/retry")
                let ticket = try #require(browser.cookieJar["lg_retry"])
                #expect(try await bed.repositories.instances.usage(of: .course(course)).instances == 0)

                // Another site cannot make the browser spend the ticket.
                let crossSite = try await browser.get(refresh.url, headers: [("Sec-Fetch-Site", "cross-site")])
                #expect(crossSite.status == 400)

                _ = try await bed.ephemeral.delete(turn)
                let opened = try await browser.get(refresh.url)
                #expect(opened.status == 303, "\(opened.status): \(opened.body.prefix(300))")
                #expect(opened.header("location")?.hasPrefix("/labs/") == true)
                #expect(browser.cookieJar["lg_retry"] == nil)
                #expect(browser.cookieJar[LaunchSession.cookieName] != nil)
                let instances = try await bed.repositories.instances.list(courseID: course)
                #expect(instances.count == 1 && instances.first?.environmentID == environment.id)

                // A ticket works once.
                browser.cookieJar["lg_retry"] = ticket
                let replay = try await browser.get(refresh.url)
                #expect(replay.status == 400)
                #expect(replay.body.contains("expired or was already used"))
            }
        }
    }

    @Test(
        "a turn left by a process that died is taken over when it expires, before the launch waiting for it gives up",
        .enabled(if: TestConfig.serversUnderTest))
    func deadHoldersTurnIsTakenOver() async throws {
        try await LTITestbed.run(storage: .servers) { (bed) async throws in
            let environment = try await bed.addEnvironment("dead-\(UUID().uuidString.prefix(6))", title: "Dead holder lab")
            let (course, _) = try await TeachingTests.teach(bed)
            try await bed.repositories.quotas.save(Quota(scope: .course(course), instances: 5))
            let turn = LaunchAdmission.turn(of: .course(course), userID: UserID("nobody"), courseID: course)
            // As a holder leaves it when its process is killed: the key lives out its own expiry.
            try await bed.ephemeral.set(turn, to: "a process that died", ttl: AdmissionTurns(store: bed.ephemeral).ttl)
            let answer = try await bed.withOtherBrowser { try await bed.launch(QuotaTests.student("after-death", environment), in: $0) }
            #expect(answer.status == 303, "\(answer.status): \(answer.body.prefix(300))")
        }
    }

    @Test(
        "a launch waiting for its turn hears at once that the course filled meanwhile, instead of waiting out the turn",
        .enabled(if: TestConfig.serversUnderTest))
    func waiterHearsTheCourseIsFull() async throws {
        try await LTITestbed.run(storage: .servers) { (bed) async throws in
            let environment = try await bed.addEnvironment("full-\(UUID().uuidString.prefix(6))", title: "Full lab")
            let (course, _) = try await TeachingTests.teach(bed)
            try await bed.repositories.quotas.save(Quota(scope: .course(course), instances: 2))
            let first = try await bed.withOtherBrowser { try await bed.launch(QuotaTests.student("first", environment), in: $0) }
            #expect(first.status == 303, "\(first.status): \(first.body.suffix(800))")

            let turn = LaunchAdmission.turn(of: .course(course), userID: UserID("nobody"), courseID: course)
            try await bed.ephemeral.set(turn, to: "a process that hangs", ttl: .seconds(60))
            async let waiting = bed.withOtherBrowser { try await bed.launch(QuotaTests.student("second", environment), in: $0) }
            try await Task.sleep(for: .seconds(1))
            // The course fills meanwhile (the first student opens a second lab), and a holder says so.
            let other = try await bed.addEnvironment("other-\(UUID().uuidString.prefix(6))", title: "Other lab")
            let firstLab = try #require(try await bed.repositories.instances.list(courseID: course).first)
            _ = try await bed.repositories.instances.findOrCreate(
                LabInstance(
                    userID: firstLab.userID, environmentID: other.id, courseID: course, cores: 1, memoryMiB: 512, createdAt: Date()))
            await AdmissionTurns(store: bed.ephemeral).markFull([turn])
            let answer = try await waiting
            #expect(answer.status == 429, "\(answer.status): \(answer.body.prefix(300))")
            _ = try await bed.ephemeral.delete(turn)
        }
    }

    @Test(
        "a busy store behind a page a browser loads answers an HTML page that loads itself again; a posted form gets the page without the reload; API clients get JSON"
    )
    func busyPages() async throws {
        let router = Router()
        router.addMiddleware { ErrorMappingMiddleware() }
        router.get("/labs/busy") { _, _ -> String in throw StoreError.retryable("no free database connection") }
        router.post("/courses/busy") { _, _ -> String in throw StoreError.unavailable(component: "database", reason: "connection refused") }
        router.get("/api/v1/busy") { _, _ -> String in throw StoreError.retryable("no free database connection") }
        let html: HTTPFields = [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/labs/busy", method: .get, headers: html) { response in
                let body = String(buffer: response.body)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.retryAfter].flatMap(Int.init).map { (3...7).contains($0) } == true)
                #expect(body.contains(#"<meta http-equiv="refresh" content="\#(response.headers[.retryAfter] ?? "")">"#), "\(body)")
                #expect(!body.contains("database connection"))
            }
            try await client.execute(uri: "/courses/busy", method: .post, headers: html) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(!String(buffer: response.body).contains("http-equiv"))
            }
            for (uri, headers) in [("/api/v1/busy", html), ("/labs/busy", [:] as HTTPFields)] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
                }
            }
        }
    }
}
