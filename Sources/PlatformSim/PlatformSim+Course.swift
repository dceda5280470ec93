import Foundation
import Hummingbird

extension PlatformSim {
    /// Shows `offering` at the platform's `/`: a person picks who they are and clicks the activity.
    public func offer(_ offering: CourseOffering) {
        course.withLockedValue { $0 = offering }
        trustTool(keySetURL: offering.toolURL + "/lti/jwks")
    }

    func addCourseRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in self.coursePage() }
        // GET as well, so a browser driven by a test can open a launch by its address.
        router.get("launch") { request, _ in self.launchPage(Self.fields(request.uri.query ?? "")) }
        router.post("launch") { request, _ in
            var request = request
            return self.launchPage(Self.fields(String(buffer: try await request.collectBody(upTo: 16 * 1024))))
        }
    }

    private func coursePage() -> Response {
        guard let offering = course.withLockedValue({ $0 }) else {
            return Self.html("<p>This test platform offers no course.</p>", status: .notFound)
        }
        let students = CourseOffering.people.filter { !$0.scenario.roles.contains(LTIRoles.instructor) }.map { key, scenario in
            #"<label><input type="radio" name="as" value="\#(key)"\#(key == "ada" ? " checked" : "")> \#(HTMLForm.escape(scenario.name ?? key))</label>"#
        }.joined()
        return Self.html(
            """
            <header><strong>Networks 101</strong> · a course on LabGate's test platform (standing in for Moodle)</header>
            <h1>\(HTMLForm.escape(offering.activityTitle))</h1>
            <form method="post" action="/launch" target="lab">
            <fieldset><legend>Student</legend>\(students)</fieldset>
            <p><button type="submit" id="launch-student">Launch as student</button>
            <button type="submit" id="launch-teacher" name="role" value="teacher">Launch as teacher</button></p>
            </form>
            <p class="note">The activity opens below, inside the course page, as Moodle embeds an LTI tool.</p>
            <iframe name="lab" id="lab" title="\(HTMLForm.escape(offering.activityTitle))" allow="clipboard-read; clipboard-write; fullscreen"></iframe>
            """)
    }

    /// The login initiation Moodle sends for the activity: a form posted to the tool.
    private func launchPage(_ fields: [String: String]) -> Response {
        guard let offering = course.withLockedValue({ $0 }) else {
            return Self.html("<p>This test platform offers no course.</p>", status: .notFound)
        }
        let key = fields["role"] == "teacher" ? CourseOffering.teacher : fields["as"] ?? "ada"
        guard let person = CourseOffering.people.first(where: { $0.key == key }) else {
            return Self.html("<p>Choose one of the people of the course.</p>", status: .badRequest)
        }
        var scenario = person.scenario
        scenario.resourceLinkTitle = offering.activityTitle
        scenario.custom = offering.custom
        let form = loginInitiation(scenario, toolURL: offering.toolURL)
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: HTMLForm.autoPosting(action: form.action, fields: form.fields))))
    }

    /// The third-party login initiation for `scenario` (prepared now), as the platform posts it to the tool.
    public func loginInitiation(_ scenario: LaunchScenario, toolURL: String) -> HTMLForm {
        HTMLForm(
            action: toolURL + "/lti/login",
            fields: [
                ("iss", issuer), ("login_hint", scenario.subject), ("target_link_uri", toolURL + "/lti/launch"),
                ("lti_message_hint", prepare(scenario)), ("client_id", scenario.registration?.clientID ?? clientID),
                ("lti_deployment_id", scenario.registration?.deploymentID ?? deploymentID),
            ])
    }

    private static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(
                byteBuffer: ByteBuffer(
                    string: """
                        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Networks 101 · test platform</title>
                        <style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem;color:#1d2125}
                        header{background:#0f6cbf;color:#fff;padding:.6rem 1rem;margin:-1rem -1rem 1rem}label{margin-right:1rem}
                        button{font-size:1rem;padding:.4rem 1.2rem}.note{color:#555}
                        iframe{width:100%;height:34rem;border:1px solid #ccc;border-radius:4px}</style></head><body>
                        \(body)
                        </body></html>
                        """)))
    }
}
