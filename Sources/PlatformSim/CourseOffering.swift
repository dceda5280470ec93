/// The course the test platform shows people (the demo): one activity that launches a tool
/// in an iframe, as Moodle embeds an external tool, for a few made-up students and a teacher.
public struct CourseOffering: Sendable {
    /// The tool's address (`http://127.0.0.1:8080`); its login is `<toolURL>/lti/login`.
    public var toolURL: String
    public var activityTitle: String
    /// Custom parameters of the activity's link (the environment it opens).
    public var custom: [String: String]

    public init(toolURL: String, activityTitle: String = "Lab 1: your own Linux desktop", custom: [String: String] = [:]) {
        self.toolURL = toolURL
        self.activityTitle = activityTitle
        self.custom = custom
    }

    /// The key of the course's teacher among `people`.
    static let teacher = "grace"

    /// The people who can click the activity.
    static let people: [(key: String, scenario: LaunchScenario)] = [
        ("ada", LaunchScenario(subject: "student-ada", name: "Ada Lovelace", email: "ada@example.edu")),
        ("alan", LaunchScenario(subject: "student-alan", name: "Alan Turing", email: "alan@example.edu")),
        (teacher, .teacher(subject: "teacher-grace")),
    ]
}
