/// Courses and the activities (resource links) inside them.
public protocol CourseRepository: Sendable {
    /// The course with this (issuer of the platform, context), whichever registration and
    /// deployment it came through, created if new; its title is refreshed.
    func upsert(_ course: Course) async throws -> Course
    /// The course with this id.
    func find(id: CourseID) async throws -> Course?
    /// A page of courses by id, starting after `after`.
    func page(after: CourseID?, limit: Int) async throws -> [Course]
    /// The teacher's settings of a course; the defaults if none were saved.
    func settings(of courseID: CourseID) async throws -> CourseSettings
    /// Saves a course's settings, replacing the previous ones.
    func saveSettings(_ settings: CourseSettings, for courseID: CourseID) async throws
    /// Everyone who launched from a course, with their role, by name.
    func members(of courseID: CourseID) async throws -> [CourseMember]
    /// The activity with this (course, resource link), created if new; its title is refreshed,
    /// its environment binding kept.
    func upsertActivity(_ activity: Activity) async throws -> Activity
    /// The activity of a course with this resource link id.
    func activity(courseID: CourseID, resourceLinkID: String) async throws -> Activity?
    /// All activities of a course, by resource link id.
    func activities(of courseID: CourseID) async throws -> [Activity]
    /// Binds the platform's resource link to an activity of `courseID` that awaits its first
    /// launch; false when there is none such (launched already, another course's, unknown).
    func bindResourceLink(_ resourceLinkID: String, to activityID: ActivityID, in courseID: CourseID) async throws -> Bool
    /// Binds an activity to an environment, or unbinds it with `nil`; returns false if no such activity.
    func bind(_ activityID: ActivityID, to environmentID: EnvironmentID?) async throws -> Bool
    /// The activity with this id.
    func activity(id: ActivityID) async throws -> Activity?
    /// Remembers the activity's gradebook column and the list of columns, as a launch named them.
    func setGradebook(of activityID: ActivityID, lineItemURL: String?, lineItemsURL: String?) async throws
    /// Records the role the latest launch gave a user in a course, replacing the previous one.
    func enroll(_ userID: UserID, in courseID: CourseID, as role: CourseRole) async throws
    /// The role a user holds in a course, if they ever launched from it.
    func role(of userID: UserID, in courseID: CourseID) async throws -> CourseRole?
}

/// A person of a course and the role their latest launch gave them.
public struct CourseMember: Sendable, Hashable {
    public var user: User
    public var role: CourseRole

    public init(user: User, role: CourseRole) {
        self.user = user
        self.role = role
    }
}
