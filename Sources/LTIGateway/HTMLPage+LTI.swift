import HTTPTypes
import LabCore
import WebSupport

extension HTMLPage {
    /// LabGate is too busy to finish a request now. With `retry`, the page tries again by
    /// itself after the seconds given (at `path`, or the same address); without, the person
    /// is asked to try again.
    public static func busy(requestID: String, retry: (seconds: Int, path: String?)? = nil) -> HTMLPage {
        let advice =
            retry == nil
            ? "Wait a few seconds, then try again."
            : "This page tries again by itself in a few seconds; there is no need to click anything."
        var page = HTMLPage(
            title: "Many labs are opening",
            body: """
                <h1>Many labs are opening</h1>
                <p>Many people are opening their labs at this moment. \(advice)</p>
                <p class="note">If you report this, mention reference \(escape(requestID)).</p>
                """, status: .serviceUnavailable)
        page.refresh = retry
        return page
    }

    /// What a plain visit to the launch address finds (Moodle checks it for a cartridge).
    static let launchAddress = HTMLPage(
        title: "LabGate",
        body: """
            <h1>LabGate</h1>
            <p>This is the address your learning platform sends lab launches to. To open a lab, click its activity in your course.</p>
            """)

    static func notConfigured(_ activity: Activity) -> HTMLPage {
        HTMLPage(
            title: "This lab is not ready yet",
            body: """
                <h1>This lab is not ready yet</h1>
                <p>Your teacher has not set up this lab yet (<em>\(escape(activity.title))</em>). Try again later, or ask your teacher.</p>
                """)
    }

    static func deepLinkingPicker(_ request: DeepLinkingRequest, choices: [Environment], csrf: String, coursePage: String) -> HTMLPage {
        let kind = request.acceptMultiple ? "checkbox" : "radio"
        let options = choices.map { environment in
            #"<label><input type="\#(kind)" name="environment" value="\#(escape(environment.name))"> \#(escape(environment.title))</label>"#
        }.joined(separator: "\n")
        return HTMLPage(
            title: "Add a virtual lab",
            body: """
                <h1>Add a virtual lab</h1>
                <p>Choose the environment\(request.acceptMultiple ? "s" : "") this activity opens for students.</p>
                <form method="post" action="/lti/deep-linking">
                <fieldset><legend>Environments</legend>\(options.isEmpty ? "<p>There are no environments yet.</p>" : options)</fieldset>
                <input type="hidden" name="request" value="\(escape(request.id))">
                <input type="hidden" name="csrf" value="\(escape(csrf))">
                <p><button type="submit">Add</button></p></form>
                <p class="note">The course's labs, settings and students are on <a href="\(escape(coursePage))">the course's lab page</a>.</p>
                """)
    }

    /// After a Dynamic Registration. An active platform's page closes the platform's dialog
    /// by itself; a pending one's stays open, so its admin reads what is still to be done.
    static func registered(_ outcome: DynamicRegistration.Outcome) -> HTMLPage {
        let platform = outcome.platform
        guard platform.status == .pending else {
            return HTMLPage(
                title: "LabGate is registered",
                body: """
                    <h1>LabGate is registered</h1>
                    <p>LabGate is now registered with \(escape(platform.issuer)) and active: teachers can add LabGate activities now.</p>
                    <script>(window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*");</script>
                    """)
        }
        let why =
            outcome.invitation == .notValid
            ? "<p>The invitation in the address you used is unknown, was used already or has expired, so this registration is not active yet.</p>"
            : "<p>This registration came without an invitation, so it is not active yet.</p>"
        return HTMLPage(
            title: "LabGate registration waits for approval",
            body: """
                <h1>LabGate registration waits for approval</h1>
                <p>LabGate is registered with \(escape(platform.issuer)), but launches are refused until a LabGate administrator approves it.</p>
                \(why)
                <p>Ask your LabGate administrator to approve it (<code>labgate platform approve --issuer \(escape(platform.issuer)) --client-id \(escape(platform.clientID))</code>), \
                or for an invitation (<code>labgate platform invite</code>) and register again with the address it gives. \
                You may activate the tool in your platform meanwhile; close this window when you have read this.</p>
                """)
    }
}
