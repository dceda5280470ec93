import Foundation

public typealias ActivityID = Identifier<Activity>

/// An LTI resource link inside a course, bound (once a teacher chooses) to an environment.
public struct Activity: Sendable, Hashable, Codable {
    public var id: ActivityID
    public var courseID: CourseID
    public var resourceLinkID: String
    public var title: String
    public var environmentID: EnvironmentID?
    /// The platform's gradebook column for the activity (AGS `lineitem`), and where its
    /// columns are listed (`lineitems`), as its last launch named them.
    public var lineItemURL: String?
    public var lineItemsURL: String?

    /// The custom parameter of the resource link a Deep Linking response creates: the id of
    /// the activity LabGate made for it, which the link's first launch binds to itself.
    public static let customParameter = "labgate_activity"

    /// An activity made when a teacher added it by Deep Linking, before the platform's
    /// resource link is known: it stands in the course (preparable, on the course page)
    /// under a placeholder link until the first launch binds the real one.
    public static func awaitingLaunch(courseID: CourseID, title: String, environmentID: EnvironmentID) -> Activity {
        let id = ActivityID.random()
        return Activity(id: id, courseID: courseID, resourceLinkID: awaitingLaunchLink(id), title: title, environmentID: environmentID)
    }

    /// The placeholder link of an activity that awaits its first launch.
    public static func awaitingLaunchLink(_ id: ActivityID) -> String { placeholderPrefix + id.rawValue }

    /// Whether anyone launched it yet (an activity added by Deep Linking waits for its first launch).
    public var hasBeenLaunched: Bool { !resourceLinkID.hasPrefix(Self.placeholderPrefix) }

    /// Platforms' resource link ids never hold a colon in practice (Moodle's are numbers), and
    /// the placeholder names the activity, so it is unique in its course.
    static let placeholderPrefix = "labgate:"

    public init(
        id: ActivityID = .random(), courseID: CourseID, resourceLinkID: String, title: String,
        environmentID: EnvironmentID? = nil, lineItemURL: String? = nil, lineItemsURL: String? = nil
    ) {
        self.id = id
        self.courseID = courseID
        self.resourceLinkID = resourceLinkID
        self.title = title
        self.environmentID = environmentID
        self.lineItemURL = lineItemURL
        self.lineItemsURL = lineItemsURL
    }
}
