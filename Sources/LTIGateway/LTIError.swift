import HTTPTypes
import WebEncoding
import WebSupport

/// Why LabGate refused an LTI request, in words a teacher can pass on to an administrator.
///
/// Each case is one failed check; `status` is what the browser gets, `message` what the
/// person reads, `reason` what the log keeps (never a token).
public enum LTIError: Error, Equatable, Sendable {
    case missingParameter(String)
    case unknownPlatform(issuer: String, clientID: String?)
    case ambiguousClient(issuer: String)
    case platformPending(issuer: String)
    case unknownState
    case stateFromAnotherBrowser
    case malformedToken(String)
    case algorithmNotAllowed(String)
    case unknownKey(kid: String?)
    case badSignature
    case keySetUnavailable(String)
    case wrongIssuer(String)
    case wrongAudience
    case wrongAuthorizedParty
    case expired
    case issuedInTheFuture
    case nonceMismatch
    case unknownDeployment(String)
    case wrongVersion(String)
    case unsupportedMessageType(String)
    case missingResourceLink
    case identifierTooLong(String)
    case foreignTarget(String)
    case missingRoles
    case missingContext
    case missingDeepLinkingSettings
    case unsafeReturnURL(BrowserURLError)
    case unsafePlatformURL(BrowserURLError)
    case teachersOnly
    case sessionRequired
    case notFound(String)
    case invalidChoice(String)
    case registrationRefused(String)
    /// The platform's address could not be reached; the detail is for the log only (it would
    /// tell an outsider what LabGate's outbound filter refuses).
    case registrationUnreachable(url: String, detail: String)
    case tooManyRegistrations

    /// The HTTP status of the page that explains the refusal.
    public var status: HTTPResponse.Status {
        switch self {
        case .keySetUnavailable: .badGateway
        case .registrationUnreachable: .badGateway
        case .tooManyRegistrations: .tooManyRequests
        case .platformPending, .unknownDeployment, .teachersOnly: .forbidden
        case .sessionRequired: .unauthorized
        case .notFound: .notFound
        case .algorithmNotAllowed, .unknownKey, .badSignature, .wrongIssuer, .wrongAudience, .wrongAuthorizedParty,
            .expired, .issuedInTheFuture, .nonceMismatch:
            .unauthorized
        default: .badRequest
        }
    }

    /// What the person in front of the browser reads.
    public var message: String {
        switch self {
        case .missingParameter(let name):
            "The request from your learning platform is missing “\(name)”. Start the activity again from your course."
        case .unknownPlatform(let issuer, _):
            "LabGate does not know the learning platform \(issuer) (or this client of it). An administrator has to register it first."
        case .ambiguousClient(let issuer):
            "The learning platform \(issuer) has several clients registered with LabGate and did not say which one this is. Ask an administrator to check the tool configuration."
        case .platformPending(let issuer):
            "The learning platform \(issuer) is registered but not yet approved by a LabGate administrator."
        case .unknownState:
            "This launch has expired or was already used. Go back to your course and click the activity again."
        case .stateFromAnotherBrowser:
            "This launch was started in another browser window, or your browser blocked LabGate's cookie. Click the activity again; if it keeps happening, allow cookies for this site."
        case .malformedToken(let what):
            "The launch message from your learning platform could not be read (\(what))."
        case .algorithmNotAllowed(let alg):
            "The launch message was signed with \(alg.isEmpty ? "no algorithm" : alg); LabGate accepts only RS256."
        case .unknownKey:
            "The launch message was signed with a key your learning platform does not publish."
        case .badSignature:
            "The signature of the launch message is not valid."
        case .keySetUnavailable:
            "LabGate could not fetch your learning platform's public keys. Try again in a moment; if it lasts, tell your administrator."
        case .wrongIssuer:
            "The launch message names a different learning platform than the one that started the login."
        case .wrongAudience:
            "The launch message was meant for another tool (its audience is not LabGate's client id)."
        case .wrongAuthorizedParty:
            "The launch message was authorized for another tool (azp)."
        case .expired:
            "The launch message has expired. Click the activity again; if this keeps happening, the clocks of the two servers disagree."
        case .issuedInTheFuture:
            "The launch message claims to be issued in the future: the clocks of your learning platform and LabGate disagree."
        case .nonceMismatch:
            "The launch message does not belong to this login (nonce mismatch). Click the activity again."
        case .unknownDeployment(let id):
            "The deployment \(id) of this tool is not registered with LabGate. An administrator has to add it."
        case .wrongVersion(let version):
            "The launch uses LTI version \(version.isEmpty ? "(none)" : version); LabGate speaks LTI 1.3.0."
        case .unsupportedMessageType(let type):
            "LabGate cannot handle the message type \(type.isEmpty ? "(none)" : type)."
        case .missingResourceLink:
            "The launch does not say which activity was clicked (resource link missing)."
        case .identifierTooLong(let name):
            "The launch message's \(name) is longer than the 255 characters LTI allows. Ask the platform's administrator to check it."
        case .foreignTarget(let target):
            "The launch is addressed to \(target), which is not LabGate."
        case .missingRoles:
            "The launch does not say what your role in the course is."
        case .missingContext:
            "The launch does not say which course it comes from."
        case .missingDeepLinkingSettings:
            "The request to add an activity does not say where to return the choice."
        case .unsafeReturnURL(let why):
            "The request to add an activity names a return address LabGate will not send your browser to: \(why). Ask the platform's administrator to check its address (wwwroot)."
        case .unsafePlatformURL(let why):
            "The learning platform's registered login address is not one LabGate will send your browser to: \(why). An administrator has to correct the registration."
        case .teachersOnly:
            "Only teachers of this course can do that."
        case .sessionRequired:
            "Your LabGate session has expired. Open the activity again from your course."
        case .notFound(let what):
            "There is no \(what) here. Open the activity again from your course."
        case .invalidChoice(let what):
            "That choice is not valid: \(what)."
        case .registrationRefused(let why):
            "The registration could not be completed: \(why)."
        case .registrationUnreachable:
            "The registration could not be completed: the platform could not be reached. Check the registration URL, or ask LabGate's administrator."
        case .tooManyRegistrations:
            "Too many registrations were started recently. Try again in an hour, or ask LabGate's administrator to add the platform."
        }
    }

    /// The name of the failed check, for metrics: `unknownState`, `badSignature`, …
    public var code: String {
        Mirror(reflecting: self).children.first?.label ?? String(describing: self)
    }

    /// What the log keeps: the check that failed, with what it saw, never a token.
    public var reason: String {
        switch self {
        case .unknownPlatform(let issuer, let clientID): "unknown platform issuer=\(issuer) client_id=\(clientID ?? "-")"
        case .unknownKey(let kid): "unknown kid \(kid ?? "-")"
        case .keySetUnavailable(let why): "key set unavailable: \(why)"
        case .wrongIssuer(let iss): "iss \(iss) differs from the registered issuer"
        case .malformedToken(let what): "malformed id_token: \(what)"
        case .registrationRefused(let why): "dynamic registration refused: \(why)"
        case .registrationUnreachable(let url, let detail): "dynamic registration: \(url) could not be reached: \(detail)"
        default: String(describing: self)
        }
    }
}
