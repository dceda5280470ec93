import Foundation
import JOSE

/// One launch the test platform will sign: who clicks what, in which course, with which
/// roles — and, for negative tests, how the token is bent or mis-signed.
public struct LaunchScenario: Sendable {
    /// How the id_token is signed.
    public enum Signing: Sendable {
        /// By the platform's current key, as a real platform does.
        case platformKey
        /// By another RSA key under the platform's current kid (a forged signature).
        case foreignKey
        /// By the platform's key, but naming a kid it never published.
        case unknownKid(String)
        /// `alg: none` with an empty signature.
        case algNone
        /// HS256 keyed with the platform's public key (the classic algorithm confusion).
        case hs256WithPublicKey
        /// By the platform's key, then one byte of the payload changed.
        case tamperedPayload
    }

    public var subject: String
    public var name: String?
    public var email: String?
    public var roles: [String]
    public var contextID: String
    public var contextTitle: String
    public var resourceLinkID: String
    public var resourceLinkTitle: String
    public var messageType: String
    public var custom: [String: String]
    /// Deep Linking settings, for `LtiDeepLinkingRequest`.
    public var acceptMultiple: Bool
    public var deepLinkingData: String?
    /// Where the teacher's choice goes back to; nil: the platform's own return URL.
    public var deepLinkReturnURL: String?
    public var signing: Signing
    /// Whether the launch carries the gradebook services' endpoint claim (AGS), as Moodle's do for a tool allowed to send grades.
    public var gradeService = true
    /// Whether the launch carries the roster service's claim (NRPS), as Moodle's do for a tool allowed to read it.
    public var rosterService = true
    /// Another registration of LabGate on this platform to launch through (a Moodle where
    /// LabGate was added twice, dynamically and by hand); nil: the platform's own.
    public var registration: (clientID: String, deploymentID: String)?
    /// Changes the claims after the platform built them and before it signs them.
    public var tamper: (@Sendable (inout [String: JSONValue]) -> Void)?

    public init(
        subject: String = "student-1", name: String? = "Ada Lovelace", email: String? = "ada@example.edu",
        roles: [String] = [LTIRoles.learner], contextID: String = "course-101", contextTitle: String = "Networks 101",
        resourceLinkID: String = "link-1", resourceLinkTitle: String = "Lab 1", messageType: String = "LtiResourceLinkRequest",
        custom: [String: String] = [:], acceptMultiple: Bool = false, deepLinkingData: String? = nil,
        signing: Signing = .platformKey, tamper: (@Sendable (inout [String: JSONValue]) -> Void)? = nil
    ) {
        self.subject = subject
        self.name = name
        self.email = email
        self.roles = roles
        self.contextID = contextID
        self.contextTitle = contextTitle
        self.resourceLinkID = resourceLinkID
        self.resourceLinkTitle = resourceLinkTitle
        self.messageType = messageType
        self.custom = custom
        self.acceptMultiple = acceptMultiple
        self.deepLinkingData = deepLinkingData
        self.signing = signing
        self.tamper = tamper
    }

    /// A teacher of the course.
    public static func teacher(subject: String = "teacher-1") -> LaunchScenario {
        LaunchScenario(subject: subject, name: "Grace Hopper", email: "grace@example.edu", roles: [LTIRoles.instructor])
    }
}

/// LTI role URIs the scenarios use.
public enum LTIRoles {
    public static let learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    public static let instructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    public static let teachingAssistant = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    public static let institutionAdministrator = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
}
