import Foundation
import HTTPTypes
import LabCore
import WebSupport

/// LTIGateway's page templates.
let ltiTemplates = PageTemplates(folder: Bundle.module.url(forResource: "Templates", withExtension: nil))

extension HTMLPage {
    /// LabGate is too busy to finish a request now. With `retry`, the page tries again by
    /// itself after the seconds given (at `path`, or the same address); without, the person
    /// is asked to try again.
    public static func busy(requestID: String, retry: (seconds: Int, path: String?)? = nil) -> HTMLPage {
        let context: [String: Any] = ["retries": retry != nil, "requestID": requestID]
        var page = HTMLPage(title: "Many labs are opening", body: ltiTemplates.render("busy", context), status: .serviceUnavailable)
        page.refresh = retry
        return page
    }

    /// What a plain visit to the launch address finds (Moodle checks it for a cartridge).
    static let launchAddress = HTMLPage(title: "LabGate", body: ltiTemplates.render("launch-address", [:]))

    static func notConfigured(_ activity: Activity) -> HTMLPage {
        HTMLPage(title: "This lab is not ready yet", body: ltiTemplates.render("not-configured", ["activity": activity.title]))
    }

    static func deepLinkingPicker(_ request: DeepLinkingRequest, choices: [Environment], csrf: String, coursePage: String) -> HTMLPage {
        let context: [String: Any] = [
            "multiple": request.acceptMultiple, "kind": request.acceptMultiple ? "checkbox" : "radio",
            "choices": choices.map { ["name": $0.name, "title": $0.title] }, "request": request.id, "csrf": csrf, "coursePage": coursePage,
        ]
        return HTMLPage(title: "Add a virtual lab", body: ltiTemplates.render("deep-linking-picker", context))
    }

    /// After a Dynamic Registration, framed by the platform that registered. An active
    /// platform's page closes the platform's dialog by itself; a pending one's stays open,
    /// so its admin reads what is still to be done.
    static func registered(_ outcome: DynamicRegistration.Outcome) -> HTMLPage {
        let platform = outcome.platform
        let context: [String: Any] = [
            "issuer": platform.issuer, "clientID": platform.clientID, "invitationNotValid": outcome.invitation == .notValid,
        ]
        var page =
            platform.status == .pending
            ? HTMLPage(title: "LabGate registration waits for approval", body: ltiTemplates.render("registration-pending", context))
            : HTMLPage(title: "LabGate is registered", body: ltiTemplates.render("registered", context), scripts: ["platform-message.js"])
        page.frameAncestors = platform.origins
        return page
    }
}

extension Platform {
    /// Where the platform's pages are served from (its issuer and its login endpoint), as
    /// origins: the sites that may frame LabGate's pages.
    public var origins: [String] {
        Array(Set([issuer, authURL].compactMap(ContentSecurityPolicy.origin(of:)))).sorted()
    }
}
