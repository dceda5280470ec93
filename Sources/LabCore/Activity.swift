import Foundation

public typealias ActivityID = Identifier<Activity>

/// An LTI resource link inside a course, bound (once a teacher chooses) to an environment.
public struct Activity: Sendable, Hashable, Codable {
    public var id: ActivityID
    public var courseID: CourseID
    public var resourceLinkID: String
    public var title: String
    public var environmentID: EnvironmentID?

    public init(
        id: ActivityID = .random(), courseID: CourseID, resourceLinkID: String, title: String,
        environmentID: EnvironmentID? = nil
    ) {
        self.id = id
        self.courseID = courseID
        self.resourceLinkID = resourceLinkID
        self.title = title
        self.environmentID = environmentID
    }
}
