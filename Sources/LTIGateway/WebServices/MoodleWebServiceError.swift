/// Why a call to a Moodle site's web services did not succeed, in words a lab admin or a
/// teacher can act on (never with the token).
public enum MoodleWebServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The platform has no web-service site and token.
    case notConfigured
    /// The site is down, slow, or answered something other than Moodle's JSON: worth asking again later.
    case unavailable(String)
    /// Moodle's own error object (`exception`, `errorcode`, `message`), which it sends with
    /// HTTP 200; `errorcode` tells errors apart, the message is translated.
    case moodle(errorcode: String, message: String)
    /// The token's external service does not include the function.
    case notAllowed(function: String)
    /// LabGate's course is not a Moodle course id (another kind of platform).
    case notAMoodleCourse(String)

    public var description: String {
        switch self {
        case .notConfigured:
            "this platform has no Moodle web-service token (labgate platform webservices)"
        case .unavailable(let why):
            "Moodle's web services do not answer: \(why)"
        case .moodle("invalidtoken", _):
            "Moodle does not know the web-service token (invalidtoken): it was deleted or mistyped; make a new one and give it to labgate platform webservices"
        case .moodle("accessexception", let message):
            "Moodle refused the web-service token (accessexception: \(message)): it expired, is limited to other IP addresses, or its user lacks webservice/rest:use"
        case .moodle(let code, let message):
            "Moodle answered \(code): \(message)"
        case .notAllowed(let function):
            "the web-service token may not call \(function): add it to the token's external service (Site administration > Server > Web services > External services > Functions)"
        case .notAMoodleCourse(let context):
            "this course's LTI context (\(context)) is not a Moodle course id"
        }
    }

    /// Whether asking again later may succeed on its own (a message can then wait in the queue).
    public var isTransient: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
