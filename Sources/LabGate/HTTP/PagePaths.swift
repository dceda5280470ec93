import LabCore

/// The addresses of the pages people are sent to, written once: the route tables serve
/// them, and the LTI gateway is handed them (`LaunchDestinations`).
enum PagePaths {
    /// A lab's waiting page.
    static func lab(_ instance: LabInstanceID) -> String { "/labs/\(instance)" }
    /// A course's page for its teachers.
    static func course(_ course: CourseID) -> String { "/courses/\(course)" }
}
