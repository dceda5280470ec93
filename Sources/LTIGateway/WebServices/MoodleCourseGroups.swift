import LabCore

/// A course's groups as its Moodle site lists them (`core_enrol_get_enrolled_users`, which
/// names each participant's groups): a student's LTI `sub` is their Moodle user id.
public struct MoodleCourseGroups: CourseGroups {
    let webServices: MoodleWebServices
    let courses: any CourseRepository
    let users: any UserRepository

    public init(webServices: MoodleWebServices, repositories: Repositories) {
        self.webServices = webServices
        self.courses = repositories.courses
        self.users = repositories.users
    }

    public func group(of userID: UserID, in courseID: CourseID) async throws -> CourseGroup? {
        guard let course = try await courses.find(id: courseID), let user = try await users.find(id: userID) else { return nil }
        let participants: [MoodleSite.Participant]
        do {
            participants = try await webServices.participants(of: course)
        } catch {
            throw CourseGroupsError(error.description, isTransient: error.isTransient)
        }
        // The group Moodle made first: the same one for every lab of the student, whichever process asks.
        let group = participants.first { String($0.id) == user.subject }?.groups?.min { $0.id < $1.id }
        return group.map { CourseGroup(id: String($0.id), name: $0.name) }
    }
}
