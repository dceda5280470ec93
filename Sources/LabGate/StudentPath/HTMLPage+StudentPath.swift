import Foundation
import GuacBridge
import LTIGateway
import LabCore
import WebSupport

extension HTMLPage {
    /// The page a student waits on: the lab's progress, live from `/labs/<id>/events`; when
    /// the lab is ready the script follows the single-use link it is sent.
    static func waiting(_ instance: LabInstance, environment: Environment?, csrf: String, windowPass: String) -> HTMLPage {
        let progress = LabProgress(instance)
        let id = escape(instance.id.rawValue)
        let steps = LabProgress.path.dropLast().map { state in
            #"<li data-state="\#(state.rawValue)">\#(escape(Self.stepName(state)))</li>"#
        }.joined()
        let title = environment.map { " <strong>\(escape($0.title))</strong>" } ?? ""
        let heading = Self.heading(progress.action)
        let acting = progress.action == "start" || progress.action == "retry"
        return HTMLPage(
            title: heading,
            body: """
                <h1 id="heading">\(escape(heading))</h1>
                <div id="journey"\(progress.action == nil ? "" : " hidden")>
                <p>LabGate is setting up\(title) for you. This page moves on by itself when it is ready; it usually takes under a minute.</p>
                <progress id="progress" max="\(progress.steps)" value="\(progress.step)"></progress>
                <ol class="steps" id="steps">\(steps)</ol>
                </div>
                <p id="status" role="status" aria-live="polite">\(escape(progress.text))</p>
                <form id="start" method="post" action="/labs/\(id)/start"\(acting ? "" : " hidden")>
                <input type="hidden" name="csrf" value="\(escape(csrf))">
                <button type="submit" id="start-button">\(progress.action == "start" ? "Start my lab" : "Try again")</button></form>
                <form id="window" method="post" action="/labs/\(id)/window" target="_blank">
                <input type="hidden" id="window-pass" name="pass" value="\(escape(windowPass))">
                <button type="submit" class="secondary">Open in a new window</button></form>
                <noscript><p><a href="/labs/\(id)">Check again</a> (this page updates by itself only with JavaScript).</p></noscript>
                <p class="note">Opening the activity again will not create a second lab. Reference: \(id).</p>
                <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(escape(csrf))">\
                <button type="submit" class="secondary">Log out of LabGate</button></form>
                <script>\(waitingScript(instanceID: instance.id.rawValue))</script>
                """)
    }

    /// The page's heading for the student's next action (nil: none, the lab is on its way).
    private static func heading(_ action: String?) -> String {
        switch action {
        case "retry": "Your lab could not be prepared"
        case "start": "Your lab is stopped"
        case "relaunch": "This lab was removed"
        default: "Your lab is being prepared"
        }
    }

    private static func stepName(_ state: LabInstanceState) -> String {
        switch state {
        case .requested: "Queued"
        case .allocating: "Server chosen"
        case .cloning: "Copied from the template"
        case .configuring: "Configured"
        case .starting: "Started"
        default: "Online"
        }
    }

    /// Listens for progress; marks the steps done; on `ready` goes to the link, on a final
    /// state shows the action. EventSource reconnects by itself after a dropped connection.
    private static func waitingScript(instanceID: String) -> String {
        let headings = Dictionary(uniqueKeysWithValues: ["", "retry", "start", "relaunch"].map { ($0, heading($0.isEmpty ? nil : $0)) })
        let headingsJSON = String(decoding: (try? JSONEncoder().encode(headings)) ?? Data("{}".utf8), as: UTF8.self)
        return """
            (function () {
              var steps = document.querySelectorAll("#steps li");
              var headings = \(headingsJSON);
              function show(p) {
                document.getElementById("status").textContent = p.text;
                document.getElementById("progress").value = p.step;
                steps.forEach(function (li, i) { li.className = i + 1 < p.step ? "done" : (i + 1 === p.step ? "current" : ""); });
                document.getElementById("start").hidden = !(p.action === "start" || p.action === "retry");
                document.getElementById("start-button").textContent = p.action === "start" ? "Start my lab" : "Try again";
                document.getElementById("journey").hidden = !!p.action;
                document.getElementById("heading").textContent = headings[p.action] || headings[""];
              }
              // A window pass is good once and for two minutes: keep a fresh one in the form.
              function renewPass() {
                var body = new URLSearchParams({ csrf: document.querySelector("#start input[name=csrf]").value });
                fetch("/labs/\(instanceID)/window-pass", { method: "POST", body: body, credentials: "same-origin" })
                  .then(function (r) { return r.ok ? r.json() : null; })
                  .then(function (j) { if (j) document.getElementById("window-pass").value = j.pass; });
              }
              setInterval(renewPass, 90000);
              document.getElementById("window").addEventListener("submit", function () { setTimeout(renewPass, 500); });
              if (!window.EventSource) return;
              var events = new EventSource("/labs/\(instanceID)/events");
              events.addEventListener("progress", function (e) {
                var p = JSON.parse(e.data);
                show(p);
                if (p.action) events.close();
              });
              events.addEventListener("ready", function (e) {
                events.close();
                window.location.replace(JSON.parse(e.data).link);
              });
            })();
            """
    }

    /// LabGate's stand-in for Guacamole: what Guacamole would have received.
    static func preview(_ preview: DesktopPreview) -> HTMLPage {
        let rows = [
            ("username", preview.username),
            ("expires", ISO8601DateFormatter().string(from: preview.expires)),
            ("singleUse", String(preview.singleUse)),
        ].map { "<tr><th>\(escape($0.0))</th><td><code>\(escape($0.1))</code></td></tr>" }.joined()
        var connection = "<p>The link names no connection.</p>"
        if let stored = preview.connection {
            let record = stored.connection
            let parameters = record.parameters.sorted { $0.key < $1.key }.map { name, value in
                // The guest's password stays out of pages as it stays out of URLs.
                let shown = name == "password" ? "(set, not shown)" : value
                return "<tr><th>\(escape(name))</th><td><code>\(escape(shown))</code></td></tr>"
            }.joined()
            connection = """
                <h2>Connection \(stored.id): <code>\(escape(record.group))/\(escape(record.name))</code> (\(escape(record.protocolName)))</h2>
                <table id="connection">\(parameters)</table>
                <p>Readable by: <code>\(escape(stored.readers.joined(separator: ", ")))</code></p>
                """
        }
        return HTMLPage(
            title: "Your lab's desktop (preview)",
            body: """
                <h1 id="heading">Your lab is ready</h1>
                <p>This LabGate has no Guacamole server, so instead of the desktop you see what Guacamole would have received:
                the single-use login carried by the link, decrypted and checked, and the connection record it opens.</p>
                <h2>Login (auth-json)</h2>
                <table id="login">\(rows)</table>
                \(connection)
                <p class="note">Set <code>guacamole.url</code> and <code>guacamole.jsonSecretKey</code> to open real desktops.</p>
                """)
    }
}
