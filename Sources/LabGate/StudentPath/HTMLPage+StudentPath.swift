import Foundation
import GuacBridge
import LTIGateway
import LabCore
import WebSupport

extension HTMLPage {
    /// The page a student waits on: the lab's progress, live from `/labs/<id>/events`
    /// (`lab.js`); when the lab is ready the script follows the single-use link it is sent.
    /// - Parameter backToPage: once ready, the page goes back to the lab's page rather than the desktop.
    static func waiting(_ instance: LabInstance, environment: Environment?, backToPage: Bool = false, csrf: String, windowPass: String) -> HTMLPage {
        let progress = LabProgress(instance)
        var context: [String: Any] = [
            "id": instance.id.rawValue, "heading": heading(progress.action), "headings": headings, "onItsWay": progress.action == nil,
            "steps": progress.steps, "step": progress.step, "text": progress.text,
            "stepNames": LabProgress.path.dropLast().map { ["state": $0.rawValue, "name": stepName($0)] },
            "acting": progress.action == "start" || progress.action == "retry",
            "startLabel": progress.action == "start" ? "Start my lab" : "Try again", "csrf": csrf, "windowPass": windowPass,
            "backToPage": backToPage,
        ]
        context["environment"] = environment?.title
        return HTMLPage(title: heading(progress.action), body: pageTemplates.render("waiting", context), scripts: ["lab.js"])
    }

    /// The headings the script switches between as the lab's state changes.
    private static let headings = ["retry", "start", "relaunch"].map { ["action": $0, "heading": heading($0)] }

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

    /// LabGate's stand-in for Guacamole: what Guacamole would have received.
    static func preview(_ preview: DesktopPreview) -> HTMLPage {
        var context: [String: Any] = [
            "login": [
                ["name": "username", "value": preview.username],
                ["name": "expires", "value": ISO8601DateFormatter().string(from: preview.expires)],
                ["name": "singleUse", "value": String(preview.singleUse)],
            ]
        ]
        if let stored = preview.connection {
            let record = stored.connection
            context["connection"] = [
                "id": stored.id, "group": record.group, "name": record.name, "protocol": record.protocolName,
                "readers": stored.readers.joined(separator: ", "),
                // The guest's password stays out of pages as it stays out of URLs.
                "parameters": record.parameters.sorted { $0.key < $1.key }.map {
                    ["name": $0.key, "value": $0.key == "password" ? "(set, not shown)" : $0.value]
                },
            ]
        }
        return HTMLPage(title: "Your lab's desktop (preview)", body: pageTemplates.render("preview", context))
    }

    /// After `POST /logout`.
    static let loggedOut = HTMLPage(title: "Logged out of LabGate", body: pageTemplates.render("logged-out", [:]))
}
