import GuacBridge
import HTTPTypes
import LTIGateway
import LabCore
import Provisioning
import WebSupport

extension Refusal {
    /// The one refusal for what a module turned down, worded once for pages, the API and
    /// the audit trail alike; nil for the unexpected (a 500 with a reference).
    package init?(_ error: any Error) {
        switch error {
        case let refusal as Refusal: self = refusal
        case let error as LTIError: self = Self.lti(error)
        case let refusal as LaunchRefusal:
            if case .closed = refusal {
                self.init(status: refusal.status, code: "closed", message: refusal.message)
            } else {
                self.init(status: refusal.status, code: "quota_exceeded", message: refusal.message)
            }
        case let error as CoursePageError: self = Self.coursePage(error)
        case let error as LabPageError: self = Self.labPage(error)
        case let error as GuacBridgeError: self = Self.desktop(error)
        case let error as AdminError: self = Self.admin(error)
        case let error as ProvisioningError:
            guard let refusal = Self.provisioning(error) else { return nil }
            self = refusal
        case let error as ProxmoxError:
            self.init(status: .badGateway, code: "proxmox_unavailable", message: "Proxmox did not answer as expected: \(error)")
        case let error as StoreError:
            guard let refusal = Self.store(error) else { return nil }
            self = refusal
        case is ToolKeyError:
            self.init(
                status: .serviceUnavailable, code: "unavailable",
                message:
                    "LabGate cannot use its signing keys right now (its configuration is incomplete). Tell your lab administrator; /readyz says what to fix.")
        default: return nil
        }
    }

    private static func lti(_ error: LTIError) -> Refusal {
        if case .sessionRequired = error { return .sessionRequired }
        return Refusal(status: error.status, code: error.code, message: error.message)
    }

    private static func coursePage(_ error: CoursePageError) -> Refusal {
        switch error {
        case .sessionRequired: .sessionRequired
        case .staleForm: .staleForm
        case .noSuchCourse: Refusal(status: .notFound, code: "not_found", message: "There is no such course.")
        case .noSuchInstance: Refusal(status: .notFound, code: "not_found", message: "There is no such lab in this course.")
        case .noSuchActivity: Refusal(status: .notFound, code: "not_found", message: "There is no such activity in this course.")
        case .teachersOnly: Refusal(status: .forbidden, code: "teachers_only", message: "Only the course's teachers can see and change this page.")
        case .readOnly:
            Refusal(
                status: .forbidden, code: "read_only",
                message: "Moodle lists you as a non-editing teacher of this course: you may watch its page, and only its editing teachers change it.")
        case .invalid(let field, let message):
            Refusal(status: .unprocessableContent, code: "invalid_field", message: "\(field): \(message)", details: ["field": field])
        }
    }

    private static func labPage(_ error: LabPageError) -> Refusal {
        switch error {
        case .sessionRequired: .sessionRequired
        case .staleForm: .staleForm
        case .noSuchLab: Refusal(status: .notFound, code: "not_found", message: "There is no such lab for you. Open the activity again from your course.")
        case .noPreview: Refusal(status: .notFound, code: "not_found", message: "There is nothing at this address.")
        case .crossSite: Refusal(status: .forbidden, code: "cross_site", message: "This form was sent from another site. Open the lab from your course.")
        }
    }

    private static func desktop(_ error: GuacBridgeError) -> Refusal {
        let status: HTTPResponse.Status =
            switch error {
            case .linkUsedOrExpired: .gone
            case .notYourLink: .forbidden
            case .notReady: .conflict
            case .noSuchConnection: .notFound
            case .invalidLogin, .invalidSecretKey: .badRequest
            }
        let words = String(describing: error)
        return Refusal(status: status, code: "desktop_refused", message: words.prefix(1).uppercased() + words.dropFirst() + ".")
    }

    private static func admin(_ error: AdminError) -> Refusal {
        switch error {
        case .notFound(let what): .notFound(what)
        case .invalid(let field, let message):
            Refusal(status: .unprocessableContent, code: "invalid_field", message: sentence(message), details: ["field": field])
        case .duplicate: Refusal(status: .conflict, code: "conflict", message: sentence(error.description))
        }
    }

    private static func provisioning(_ error: ProvisioningError) -> Refusal? {
        switch error {
        case .notAllowed(let operation, let state):
            Refusal(
                status: .conflict, code: "not_allowed", message: "The lab is \(state), so \(operation) cannot be done now; see where it is and try again.",
                details: ["state": state])
        case .unknownInstance(let id): .notFound("lab instance \(id)")
        case .invalidEnvironment(let name, let problems):
            Refusal(
                status: .unprocessableContent, code: "invalid_environment", message: "Environment \(name) cannot work: \(problems.joined(separator: "; ")).",
                details: ["problems": problems.joined(separator: "\n")])
        case .checkpointLimit, .invalidCheckpointLabel:
            Refusal(status: .unprocessableContent, code: "invalid_checkpoint", message: sentence(error.description))
        case .unknownCheckpoint: Refusal(status: .notFound, code: "not_found", message: sentence(error.description))
        case .checkpointQuota: Refusal(status: .tooManyRequests, code: "quota_exceeded", message: sentence(error.description))
        default: nil
        }
    }

    private static func store(_ error: StoreError) -> Refusal? {
        switch error {
        case .unavailable(let component, _):
            Refusal(
                status: .serviceUnavailable, code: "unavailable",
                message: "The \(component) is unavailable right now. Try again in a moment; if it lasts, tell your lab administrator.", retryAfter: 5)
        case .retryable: Refusal(status: .serviceUnavailable, code: "busy", message: "LabGate is busy. Try again in a moment.", retryAfter: 1)
        case .duplicate: Refusal(status: .conflict, code: "conflict", message: "That exists already.")
        case .conflict(let what): Refusal(status: .conflict, code: "conflict", message: "\(what).")
        case .failed: nil
        }
    }

    /// The CLI's lower-case words as a sentence.
    private static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst() + "."
    }
}
