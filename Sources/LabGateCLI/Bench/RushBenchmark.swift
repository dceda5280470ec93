import AsyncHTTPClient
import Foundation
import LTIGateway
import LabCore
import LabGate
import NIOConcurrencyHelpers
import PlatformSim
import Provisioning

/// A class that clicks at 9:00: `students` launches of one course with a quota, posted at the
/// same instant to LabGate servers already running (in turn, as a proxy spreads them), each
/// browser following LabGate's busy pages as a real one would. Login initiations and the
/// platform's signatures are done before the clock starts, as Moodle did them before the click.
struct RushBenchmark {
    let config: LabGateConfig
    let serverURLs: [String]
    let students: Int
    let quota: Int
    /// Processes whose CPU time during the rush is reported as the servers' (their pids).
    let serverPIDs: [Int32]
    /// How long to wait, after the rush, for the labs to rest before counting how they ended; nil: not at all.
    var settleWithin: Duration?

    /// What one rush measured.
    struct Result {
        var students = 0
        var labs = 0
        var admitted = 0
        var refused = 0
        /// Busy pages the browsers followed.
        var busyPages = 0
        /// Final answers that were neither an HTML page nor a redirect.
        var notHTML = 0
        /// Final answers other than a lab (303 to `/labs/…`) or the full course's page (429), and failed requests.
        var errors = 0
        var firstError: String?
        var answerTimes: [Duration] = []
        var generatorCPU: Duration = .zero
        var serverCPU: Duration = .zero
        var settlement: Settlement?

        var line: String {
            let sorted = answerTimes.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "0" }
                return String(format: "%.0f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].fractionalMilliseconds)
            }
            return "students=\(students) labs=\(labs) admitted=\(admitted) refused=\(refused) busy_pages=\(busyPages) not_html=\(notHTML) "
                + "errors=\(errors) p50_ms=\(percentile(0.5)) p99_ms=\(percentile(0.99)) max_ms=\(sorted.last.map { String(format: "%.0f", $0.fractionalMilliseconds) } ?? "0") "
                + String(format: "generator_cpu_s=%.2f server_cpu_s=%.2f", generatorCPU.timeInterval, serverCPU.timeInterval)
                + (settlement.map { " " + $0.line } ?? "")
        }
    }

    /// One student's answer: the last page, how long it took from the click, and the busy pages on the way.
    private struct Answer {
        var page: SimBrowser.Page?
        var error: String?
        var time: Duration
        var busyPages: Int
    }

    func run() async throws -> Result {
        let platform = try PlatformSim(clientID: "bench-client", deploymentID: "bench-deployment")
        return try await platform.serving {
            // One VM from the template most clusters and PVESim have, so that workers can provision the labs.
            let environment = try EnvironmentSpec(name: "bench", title: "Benchmark lab", vms: [VMSpec(template: 9000)]).environment()
            try await Backends.prepare(config, platform: platform, environment: environment)
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(
                    redirectConfiguration: .disallow, connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: students)))
            let outcome = await Swift.Result.capturing { try await rush(platform, client: client) }
            try? await client.shutdown()
            return try outcome.get()
        }
    }

    private func rush(_ platform: PlatformSim, client: HTTPClient) async throws -> Result {
        let context = "rush-\(UUID().uuidString.prefix(8))"
        let course = try await openCourse(context, platform: platform, client: client)
        // Before the clock: each browser's login initiation and the platform's signed answer.
        var posts: [(SimBrowser, HTMLForm)] = []
        for index in 0..<students {
            let browser = SimBrowser(client: client)
            let scenario = LaunchScenario(
                subject: "\(context)-student-\(index)", name: "Student \(index)", contextID: context, custom: ["environment": "bench"])
            let login = try await browser.startLogin(scenario, platform: platform, toolURL: serverURLs[index % serverURLs.count])
            guard login.status == 302, let location = login.header("location") else {
                throw PlatformSimError.unexpectedResponse("login answered \(login.status): \(login.body.prefix(200))")
            }
            posts.append((browser, try platform.authorize(redirectedTo: location)))
        }

        let generatorBefore = CPUTime.ofThisProcess()
        let serversBefore = CPUTime.of(serverPIDs)
        let answers = await withTaskGroup(of: Answer.self) { group in
            for (browser, form) in posts { group.addTask { await Self.click(browser, posting: form) } }
            return await group.reduce(into: [Answer]()) { $0.append($1) }
        }
        var result = Result(students: students)
        result.generatorCPU = CPUTime.ofThisProcess() - generatorBefore
        result.serverCPU = CPUTime.of(serverPIDs) - serversBefore
        for answer in answers {
            result.answerTimes.append(answer.time)
            result.busyPages += answer.busyPages
            guard let page = answer.page else {
                result.errors += 1
                result.firstError = result.firstError ?? answer.error
                continue
            }
            let html = page.header("content-type")?.hasPrefix("text/html") == true
            if !html && page.header("location") == nil { result.notHTML += 1 }
            if page.status == 303, page.header("location")?.hasPrefix("/labs/") == true {
                result.admitted += 1
            } else if page.status == 429, html {
                result.refused += 1
            } else {
                result.errors += 1
                result.firstError = result.firstError ?? "answered \(page.status): \(page.body.prefix(200))"
            }
        }
        result.labs = try await labs(in: course)
        if let settleWithin { result.settlement = try await settle(course, within: settleWithin) }
        return result
    }

    /// Posts the id_token, then follows busy pages' refreshes (after the seconds they ask) as a browser does.
    private static func click(_ browser: SimBrowser, posting form: HTMLForm) async -> Answer {
        let clock = ContinuousClock()
        let start = clock.now
        var busyPages = 0
        do {
            var page = try await browser.submit(form)
            // Bounded: LabGate stops asking for retries after 8 attempts.
            while busyPages < 10, page.status == 503, let refresh = page.refresh {
                busyPages += 1
                try await Task.sleep(for: .seconds(refresh.seconds))
                page = try await browser.get(refresh.url)
            }
            return Answer(page: page, time: start.duration(to: clock.now), busyPages: busyPages)
        } catch {
            return Answer(error: "\(error)", time: start.duration(to: clock.now), busyPages: busyPages)
        }
    }

    /// The course the rush happens in, made by its teacher's launch (which binds the activity
    /// to the `bench` environment), with the quota set on it.
    private func openCourse(_ context: String, platform: PlatformSim, client: HTTPClient) async throws -> CourseID {
        let teacher = SimBrowser(client: client)
        var scenario = LaunchScenario.teacher(subject: "\(context)-teacher")
        scenario.contextID = context
        scenario.custom = ["environment": "bench"]
        let page = try await teacher.launch(scenario, platform: platform, toolURL: serverURLs[0], direct: true)
        guard page.status == 303, let location = page.header("location"), location.hasPrefix("/courses/"),
            let id = location.dropFirst("/courses/".count).split(separator: "#").first
        else { throw PlatformSimError.unexpectedResponse("the teacher's launch answered \(page.status): \(page.body.prefix(200))") }
        let course = CourseID(String(id))
        try await Backends.using(config) { try await $0.repositories.quotas.save(Quota(scope: .course(course), instances: quota)) }
        return course
    }

    private func labs(in course: CourseID) async throws -> Int {
        try await Backends.using(config) { try await $0.repositories.instances.usage(of: .course(course)).instances }
    }
}
