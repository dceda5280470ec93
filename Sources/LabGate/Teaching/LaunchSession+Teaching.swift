import LabCore
import WebSupport

extension LaunchSession {
    /// Whether this session may steer a course: its teachers, and admins of the platform it belongs to.
    func mayTeach(_ courseID: CourseID, courses: any CourseRepository) async throws -> Bool {
        if role == .admin, let course = try await courses.find(id: courseID) {
            return course.platformID == platformID
        }
        return try await courses.role(of: userID, in: courseID) == .teacher
    }
}
