import Foundation
import Hummingbird
import LTIGateway
import LabCore
import Provisioning
import WebSupport

extension HTMLPage {
    /// The teacher's course page: activities, settings, the students' labs and the trail.
    static func course(_ view: CoursePageView) -> HTMLPage {
        let id = escape(view.course.id.rawValue)
        let notice = view.notice.map { #"<p id="notice" role="status"><strong>\#(escape($0))</strong></p>"# } ?? ""
        let problems =
            view.problems.isEmpty
            ? ""
            : """
            <div id="problems" role="alert"><p><strong>The settings were not saved:</strong></p><ul>\
            \(view.problems.map { "<li data-field=\"\(escape($0.field))\">\(escape($0.message))</li>" }.joined())</ul></div>
            """
        return HTMLPage(
            title: view.course.title,
            body: """
                <style>body{max-width:72rem}section{margin:1.5rem 0}input[type=number]{width:6rem}textarea{width:100%}
                td form,td button{margin:0}td form{display:inline}.refused{color:#b00020}</style>
                <h1>\(escape(view.course.title))</h1>
                \(notice)
                <section aria-labelledby="activities-heading"><h2 id="activities-heading">Activities</h2>\(activities(view))</section>
                <section aria-labelledby="students-heading"><h2 id="students-heading">Students and their labs</h2>
                <table id="students"><caption class="note">Updated every few seconds.</caption>
                <thead><tr><th scope="col">Student</th><th scope="col">Lab</th><th scope="col">State</th><th scope="col">Node</th>
                <th scope="col">Address</th><th scope="col">Since</th><th scope="col">Last activity</th><th scope="col">Actions</th></tr></thead>
                <tbody id="roster">\(rosterRows(view.roster, courseID: view.course.id, csrf: view.csrf))</tbody></table>
                <form method="post" action="/courses/\(id)/actions" id="all-actions"><input type="hidden" name="csrf" value="\(escape(view.csrf))">
                <label for="all-action">For every lab of the course:</label> <select id="all-action" name="action">\
                \(LabOperations.Operation.allCases.map(\.rawValue).map { "<option value=\"\($0)\">\($0)</option>" }.joined())</select>
                <button type="submit">Apply to all</button></form>
                \(prepareForm(view))</section>
                <section aria-labelledby="settings-heading"><h2 id="settings-heading">Settings of the course</h2>\(problems)\(settingsForm(view))</section>
                <section aria-labelledby="audit-heading"><h2 id="audit-heading">Recent changes</h2>\(auditTable(view))</section>
                <script>\(refreshScript(courseID: view.course.id.rawValue))</script>
                """)
    }

    /// Only the body, for the table's refresh.
    static func fragment(_ html: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func rosterRows(_ roster: CourseRoster, courseID: CourseID, csrf: String) -> String {
        guard !roster.rows.isEmpty else { return #"<tr><td colspan="8">No student has opened the course's lab yet.</td></tr>"# }
        return roster.rows.map { row in
            let name = escape(row.member.user.name ?? row.member.user.subject)
            guard let instance = row.instance else {
                return #"<tr data-student="\#(escape(row.member.user.id.rawValue))"><td>\#(name)</td><td colspan="7">no lab</td></tr>"#
            }
            let actions = LabOperations.Operation.allCases.map(\.rawValue).map { action in
                """
                <form method="post" action="/courses/\(escape(courseID.rawValue))/instances/\(escape(instance.id.rawValue))/\(action)">\
                <input type="hidden" name="csrf" value="\(escape(csrf))"><button type="submit" aria-label="\(action) the lab of \(name)">\(action)</button></form>
                """
            }.joined(separator: " ")
            return """
                <tr data-student="\(escape(row.member.user.id.rawValue))" data-instance="\(escape(instance.id.rawValue))"><td>\(name)</td>\
                <td>\(escape(row.environment?.title ?? "?"))</td><td class="state">\(escape(instance.state.rawValue))\
                \(instance.failureReason.map { "<br><small>\(escape($0))</small>" } ?? "")</td><td>\(escape(instance.node ?? "–"))</td>\
                <td>\(escape(instance.address ?? "–"))</td><td>\(time(instance.createdAt))</td><td>\(time(instance.updatedAt))</td><td>\(actions)</td></tr>
                """
        }.joined(separator: "\n")
    }

    private static func activities(_ view: CoursePageView) -> String {
        guard !view.activities.isEmpty else { return "<p>The course has no LabGate activity yet.</p>" }
        return view.activities.map { activity in
            let options = view.roster.environments.map { environment in
                let selected = environment.id == activity.environmentID ? " selected" : ""
                return "<option value=\"\(escape(environment.name))\"\(selected)>\(escape(environment.title))</option>"
            }.joined()
            let placeholder = activity.environmentID == nil ? "<option value=\"\" selected disabled>Choose…</option>" : ""
            let field = "environment-\(escape(activity.id.rawValue))"
            return """
                <form id="activity-\(escape(activity.id.rawValue))" method="post" action="/courses/\(escape(view.course.id.rawValue))/activities/\(escape(activity.id.rawValue))/environment">\
                <input type="hidden" name="csrf" value="\(escape(view.csrf))">
                <label for="\(field)"><strong>\(escape(activity.title))</strong>\(activity.hasBeenLaunched ? "" : " (not opened yet)") opens</label>
                <select id="\(field)" name="environment" required>\(placeholder)\(options)</select> <button type="submit">Save</button></form>
                """
        }.joined(separator: "<br>")
    }

    private static func prepareForm(_ view: CoursePageView) -> String {
        let ready = view.activities.filter { $0.environmentID != nil }
        guard !ready.isEmpty else { return "" }
        let students = view.roster.members.filter { $0.role == .student }
        let choices = students.map { member in
            #"<label><input type="checkbox" name="student" value="\#(escape(member.user.id.rawValue))"> \#(escape(member.user.name ?? member.user.subject))</label>"#
        }.joined()
        return """
            <form method="post" action="/courses/\(escape(view.course.id.rawValue))/prepare" id="prepare"><input type="hidden" name="csrf" value="\(escape(view.csrf))">
            <fieldset><legend>Prepare now</legend>
            <p class="note">Makes the labs ahead of class for everyone who has opened the course before, or only for those ticked.</p>
            <label for="prepare-activity">Activity</label> <select id="prepare-activity" name="activity">\
            \(ready.map { "<option value=\"\(escape($0.id.rawValue))\">\(escape($0.title))</option>" }.joined())</select>
            \(choices)<button type="submit">Prepare now</button></fieldset></form>
            """
    }

    private static func settingsForm(_ view: CoursePageView) -> String {
        let settings = view.settings
        let limits = view.limits
        func number(_ field: String, _ label: String, _ value: Int?, _ range: ClosedRange<Int>?) -> String {
            let bounds = range.map { #" min="\#($0.lowerBound)" max="\#($0.upperBound)""# } ?? ""
            return
                #"<label for="\#(field)">\#(label)</label> <input type="number" id="\#(field)" name="\#(field)" value="\#(value.map(String.init) ?? "")"\#(bounds) placeholder="environment's">"#
        }
        let windows = settings.windows.map { "\($0.start) \($0.end)" }.joined(separator: "\n")
        return """
            <form method="post" action="/courses/\(escape(view.course.id.rawValue))/settings" id="settings"><input type="hidden" name="csrf" value="\(escape(view.csrf))">
            <p class="note">Empty fields keep each environment's own value. Changes apply to labs prepared from now on.</p>
            \(number("cores", "Cores (up to \(limits.maxCores))", settings.cores, 1...limits.maxCores))
            \(number("memoryMiB", "Memory in MiB (up to \(limits.maxMemoryMiB))", settings.memoryMiB, 1...limits.maxMemoryMiB))
            \(number("lifetimeMinutes", "Lifetime in minutes (up to \(limits.maxLifetimeMinutes))", settings.lifetimeMinutes, 1...limits.maxLifetimeMinutes))
            \(number("idleTimeoutMinutes", "Idle timeout in minutes (up to \(limits.maxIdleTimeoutMinutes))", settings.idleTimeoutMinutes, 1...limits.maxIdleTimeoutMinutes))
            \(limits.vlans.map { number("vlan", "VLAN (\($0.lowerBound)–\($0.upperBound))", settings.vlan, $0) } ?? "")
            <label for="timeZone">Time zone of the windows</label> <input id="timeZone" name="timeZone" value="\(escape(settings.timeZone))">
            <label for="windows">When the lab may run: one window a line, start and end, like <code>2026-11-23T09:00 2026-11-23T12:00</code>; empty: always</label>
            <textarea id="windows" name="windows" rows="3">\(escape(windows))</textarea>
            <button type="submit">Save settings</button></form>
            """
    }

    private static func auditTable(_ view: CoursePageView) -> String {
        guard !view.events.isEmpty else { return "<p>Nothing has changed yet.</p>" }
        var names: [String: String] = [:]
        for member in view.roster.members { names["user:\(member.user.id)"] = member.user.name ?? member.user.subject }
        let rows = view.events.map { event in
            let outcome = event.outcome == .succeeded ? "" : " class=\"refused\""
            return """
                <tr\(outcome)><td>\(time(event.at))</td><td>\(escape(names[event.actor] ?? event.actor))</td><td>\(escape(event.action))</td>\
                <td>\(escape(event.outcome.rawValue))</td><td>\(escape(event.detail))</td></tr>
                """
        }.joined(separator: "\n")
        return """
            <table id="audit"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th>\
            <th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    /// Formats made once: the table is rendered every few seconds, a row at a time.
    private static let machineTime = Date.ISO8601FormatStyle()
    private static let readableTime = Date.ISO8601FormatStyle(dateTimeSeparator: .space).year().month().day().time(includingFractionalSeconds: false)

    private static func time(_ date: Date) -> String {
        "<time datetime=\"\(date.formatted(machineTime))\">\(date.formatted(readableTime))</time>"
    }

    /// Refreshes the table's rows every three seconds; without scripts the page still works on reload.
    private static func refreshScript(courseID: String) -> String {
        """
        (function () {
          var roster = document.getElementById("roster");
          function refresh() {
            if (roster.contains(document.activeElement)) { return setTimeout(refresh, 3000); }
            fetch("/courses/\(courseID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")/roster", {credentials: "same-origin"})
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) { if (html !== null) { roster.innerHTML = html; } })
              .catch(function () {})
              .then(function () { setTimeout(refresh, 3000); });
          }
          setTimeout(refresh, 3000);
        })();
        """
    }
}
