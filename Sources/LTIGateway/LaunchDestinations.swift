import LabCore

/// Where a launch sends people, in the routes of the application that serves the pages:
/// LTIGateway speaks LTI only and does not write other modules' addresses.
public struct LaunchDestinations: Sendable {
    /// A lab's waiting page.
    public var lab: @Sendable (LabInstanceID) -> String
    /// A course's page for its teachers.
    public var course: @Sendable (CourseID) -> String

    public init(lab: @escaping @Sendable (LabInstanceID) -> String, course: @escaping @Sendable (CourseID) -> String) {
        self.lab = lab
        self.course = course
    }
}
