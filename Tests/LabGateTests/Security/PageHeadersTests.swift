import Foundation
import Hummingbird
import LabCore
import PlatformSim
import Testing
import WebSupport

@testable import LabGate

/// Every page LabGate answers carries the headers that keep a browser safe, and runs no
/// script but LabGate's own files: walked over the route tables, as a student and a teacher.
@Suite("Security headers and scripts of every page")
struct PageHeadersTests {
    /// What is wrong with one answer, in words ("" when nothing is).
    static func problems(_ page: SimBrowser.Page, platformOrigin: String) -> [String] {
        var problems: [String] = []
        if page.header("X-Content-Type-Options") != "nosniff" { problems.append("no nosniff") }
        if page.header("Referrer-Policy") == nil { problems.append("no Referrer-Policy") }
        guard page.header("Content-Type")?.hasPrefix("text/html") == true else { return problems }
        let policy = page.header("Content-Security-Policy") ?? ""
        if !policy.contains("script-src 'self'") || policy.contains("unsafe-inline") { problems.append("script-src is not 'self' only: \(policy)") }
        if !policy.contains("frame-ancestors 'self' \(platformOrigin)") { problems.append("frame-ancestors does not name the platform: \(policy)") }
        if page.body.contains(/<script\b(?![^>]*\bsrc=)[^>]*>/) { problems.append("an inline script") }
        if page.body.contains(/<[a-zA-Z][^>]*\son[a-z]+\s*=/) { problems.append("an on…= handler") }
        return problems
    }

    static func path(_ route: String, _ values: [String: String]) -> String {
        route.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? values[String(part.dropFirst())] ?? String(part) : String(part)
        }.joined(separator: "/")
    }

    @Test(
        "every route of the student's path, the course page and the LTI pages: CSP with script-src 'self' and the platform as frame ancestor, nosniff, Referrer-Policy, no inline script"
    )
    func everyPage() async throws {
        try await LTITestbed.run { (bed) async throws in
            let origin = bed.platform.issuer
            var answers: [(String, SimBrowser.Page)] = []
            let environment = try await bed.addEnvironment("headers-\(UUID().uuidString.prefix(6))", title: "Linux")
            let (courseID, coursePage) = try await TeachingTests.teach(bed)
            answers.append(("course page", coursePage))
            answers.append(
                (
                    "environment chosen",
                    try await bed.follow(try await bed.browser.submit(try #require(coursePage.form), adding: [("environment", environment.name)]))
                ))
            let activity = try #require(try await bed.repositories.courses.activities(of: courseID).first)

            try await bed.withOtherBrowser { (student) async throws in
                let launch = try await bed.launch(LaunchScenario(subject: "hedy", name: "Hedy Lamarr"), in: student)
                let waiting = try await bed.follow(launch, in: student)
                answers.append(("waiting page", waiting))
                let instance = try #require(try await bed.repositories.instances.list(courseID: courseID).first)
                _ = try await TeachingTests.waitUntil(.ready, instance.id, in: bed)
                let csrf = try TeachingTests.csrf(in: waiting)
                let pass = String(try #require(waiting.body.firstMatch(of: /name="pass" value="([^"]+)"/)).1)
                let values = ["instance": instance.id.rawValue, "code": "no-such-code"]
                for route in StudentPathController<BasicRequestContext>.routes {
                    let url = bed.toolURL + Self.path(route.path, values)
                    let page =
                        route.method == .get
                        ? try await student.get(url)
                        : try await student.post(url, fields: [("csrf", csrf), ("pass", pass)], headers: [("Origin", bed.toolURL)])
                    answers.append(("\(route.method) \(route.path)", page))
                }
                answers.append(("logged out", try await student.post(bed.toolURL + "/logout", fields: [("csrf", csrf)])))

                let teacherCSRF = try TeachingTests.csrf(in: try await bed.browser.get(bed.toolURL + "/courses/\(courseID)"))
                let courseValues = ["course": courseID.rawValue, "activity": activity.id.rawValue, "instance": instance.id.rawValue, "action": "stop"]
                for route in CourseController<BasicRequestContext>.routes {
                    let url = bed.toolURL + Self.path(route.path, courseValues)
                    let page = route.method == .get ? try await bed.browser.get(url) : try await bed.browser.post(url, fields: [("csrf", teacherCSRF)])
                    answers.append(("\(route.method) \(route.path)", page.status == 303 ? try await bed.follow(page) : page))
                }
            }

            var deepLinking = LaunchScenario.teacher()
            deepLinking.messageType = "LtiDeepLinkingRequest"
            let picker = try await bed.launch(deepLinking)
            answers.append(("deep linking picker", picker))
            answers.append(("deep linking answer", try await bed.browser.submit(try #require(picker.form), adding: [("environment", environment.name)])))
            for path in ["/lti/launch", "/lti/login", "/lti/launch/retry", "/lti/register", "/no/such/page"] {
                answers.append(("GET \(path)", try await bed.browser.get(bed.toolURL + path)))
            }
            answers.append(("POST /lti/deep-linking, stale", try await bed.browser.post(bed.toolURL + "/lti/deep-linking", fields: [("request", "none")])))
            answers.append(("POST /lti/launch, no token", try await bed.browser.post(bed.toolURL + "/lti/launch", fields: [])))

            #expect(answers.filter { $0.1.header("Content-Type")?.hasPrefix("text/html") == true }.count >= 20)
            for (name, page) in answers {
                #expect(Self.problems(page, platformOrigin: origin).isEmpty, "\(name) (\(page.status)): \(Self.problems(page, platformOrigin: origin))")
            }
            // Each page's own scripts come from /static/, each named once in the pages that use it.
            #expect(answers.contains { $0.1.body.contains(#"<script src="/static/lab.js?v="#) })
            #expect(answers.contains { $0.1.body.contains(#"<script src="/static/course.js?v="#) })
            #expect(answers.contains { $0.1.body.contains(#"<script src="/static/auto-post.js?v="#) })
        }
    }

    @Test("a refused registration may be framed by the platform that tried to register, and by nobody else")
    func refusedRegistrationFramedByItsPlatform() async throws {
        try await LTITestbed.run { (bed) async throws in
            let refused = try await bed.browser.get(
                bed.toolURL + "/lti/register?openid_configuration=https%3A%2F%2Fmoodle.example.edu%2Fmod%2Flti%2Fopenid-configuration.php")
            #expect(refused.status >= 400)
            #expect(refused.header("Content-Security-Policy")?.hasSuffix("frame-ancestors 'self' https://moodle.example.edu") == true)
            let hostile = try await bed.browser.get(bed.toolURL + "/lti/register?openid_configuration=https%3A%2F%2Fa.example%3B%20script-src%20*")
            #expect(hostile.header("Content-Security-Policy")?.contains("script-src *") == false)
        }
    }

    @Test("static files: a versioned address is kept for a year, an old one is checked by its ETag, an unknown one is 404")
    func staticFiles() async throws {
        try await LTITestbed.run { (bed) async throws in
            let url = bed.toolURL + StaticAssets.bundled.url("labgate.css")
            let sheet = try await bed.browser.get(url)
            #expect(sheet.status == 200 && sheet.header("Content-Type") == "text/css; charset=utf-8")
            #expect(sheet.header("Cache-Control") == "public, max-age=31536000, immutable")
            let etag = try #require(sheet.header("ETag"))
            let unversioned = try await bed.browser.get(bed.toolURL + "/static/labgate.css")
            #expect(unversioned.status == 200 && unversioned.header("Cache-Control") == "no-cache" && unversioned.body == sheet.body)
            #expect(try await bed.browser.get(bed.toolURL + "/static/labgate.css", headers: [("If-None-Match", etag)]).status == 304)
            #expect(try await bed.browser.get(bed.toolURL + "/static/nothing.js").status == 404)
            #expect(try await bed.browser.get(bed.toolURL + "/static/..%2F..%2FPackage.swift").status == 404)
        }
    }
}
