/// What LabGate already knows about one launch's person, course and activity, read at once:
/// most launches are relaunches, and this lets them skip every write.
public struct LaunchSnapshot: Sendable, Hashable {
    public var user: User
    public var course: Course?
    /// The person's role in `course`, if they launched from it before.
    public var role: CourseRole?
    /// Where the platform lists the course's members, as a launch last named it.
    public var membershipsURL: String?
    public var activity: Activity?
    /// The environment `activity` is bound to.
    public var environment: Environment?
    /// The person's live instance of `environment`.
    public var liveInstance: LabInstance?

    public init(
        user: User, course: Course? = nil, role: CourseRole? = nil, activity: Activity? = nil, environment: Environment? = nil,
        liveInstance: LabInstance? = nil
    ) {
        self.user = user
        self.course = course
        self.role = role
        self.activity = activity
        self.environment = environment
        self.liveInstance = liveInstance
    }
}

/// Reads launch snapshots.
public protocol LaunchSnapshotRepository: Sendable {
    /// The snapshot for this person and resource link in this course, in one read; nil if
    /// the person never launched from this platform.
    func snapshot(
        platformID: PlatformID, subject: String, deploymentID: String, contextID: String, resourceLinkID: String
    ) async throws -> LaunchSnapshot?
}
