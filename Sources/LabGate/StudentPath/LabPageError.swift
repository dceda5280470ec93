import GuacBridge
import Hummingbird
import Provisioning
import WebSupport

/// Why a page of the student's path was refused, in words for the student.
enum LabPageError: Error, Equatable {
    /// No valid session cookie: the browser did not come from a launch, or long ago.
    case sessionRequired
    /// No such lab, or not this student's (the same answer, so ids cannot be probed).
    case noSuchLab
    /// A form without the session's CSRF token.
    case staleForm
    /// The preview exists only where there is no Guacamole.
    case noPreview
    /// A form posted from another site.
    case crossSite

    var status: HTTPResponse.Status {
        switch self {
        case .sessionRequired: .unauthorized
        case .noSuchLab, .noPreview: .notFound
        case .staleForm, .crossSite: .forbidden
        }
    }

    var message: String {
        switch self {
        case .sessionRequired: "Your session has expired or this browser did not open the lab. Open the activity again from your course."
        case .noSuchLab: "There is no such lab for you. Open the activity again from your course."
        case .staleForm: "This page was out of date. Reload it and try again."
        case .noPreview: "There is nothing at this address."
        case .crossSite: "This form was sent from another site. Open the lab from your course."
        }
    }
}

/// A refusal on the student's path as the page shows it.
struct StudentRefusal: Equatable {
    var status: HTTPResponse.Status
    var message: String

    /// The refusal for what the pages, the bridge or provisioning refused; nil for the rest,
    /// which the error middleware maps.
    init?(_ error: any Error) {
        switch error {
        case let error as LabPageError:
            (status, message) = (error.status, error.message)
        case let error as GuacBridgeError:
            switch error {
            case .linkUsedOrExpired: status = .gone
            case .notYourLink: status = .forbidden
            case .notReady: status = .conflict
            case .noSuchConnection: status = .notFound
            case .invalidLogin, .invalidSecretKey: status = .badRequest
            }
            message = String(describing: error).prefix(1).uppercased() + String(describing: error).dropFirst() + "."
        case ProvisioningError.notAllowed(let operation, let state):
            (status, message) = (.conflict, "Your lab is \(state) and cannot \(operation) now. Reload the page to see where it is.")
        default:
            return nil
        }
    }
}
