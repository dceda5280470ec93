/// One way to ask for a lab, whoever asks: a student's launch, the course page and its
/// "prepare now", the admin API and the CLI. `Provisioning`'s `LabOperations` is the one
/// implementation: each request saves the wanted state and leaves the work to a job.
public protocol LabRequests: Sendable {
    /// The user's live lab of the environment, created and set going if they have none (a
    /// stopped one is started again when `request.resume`). Two requests at once yield one
    /// lab. Throws `LaunchRefusal` when a new lab is not admitted.
    func request(_ request: LabRequest) async throws -> (instance: LabInstance, created: Bool)
    /// Asks for `operation` on the lab; returns it as saved (already on its way).
    func perform(_ operation: LabOperation, on id: LabInstanceID) async throws -> LabInstance
    /// Saves the lab as it is now under the student's `label`, up to the environment's
    /// number of checkpoints; returns the lab as saved (already on its way).
    func saveCheckpoint(labelled label: String, on id: LabInstanceID) async throws -> LabInstance
    /// Takes the lab back to a checkpoint: what was done since is lost.
    func goBack(to checkpoint: String, on id: LabInstanceID) async throws -> LabInstance
    func deleteCheckpoint(_ checkpoint: String, on id: LabInstanceID) async throws -> LabInstance
    /// Removes a lab prepared for `session` unless a student has taken it meanwhile; returns whether it goes.
    func removeUnclaimed(_ id: LabInstanceID, of session: ClassSessionID) async throws -> Bool
}

/// What can be asked of an existing lab.
public enum LabOperation: String, Sendable, CaseIterable {
    case start, stop, reset, delete
}

/// A request for a user's lab of an environment.
public struct LabRequest: Sendable {
    public var userID: UserID
    public var environment: Environment
    /// The course asking: its settings, time windows and quotas apply.
    public var courseID: CourseID?
    /// A stopped lab is started again: what a student opening it wants.
    public var resume: Bool
    /// The live lab the caller has just read, if any (a relaunch), so it is not read again.
    public var known: LabInstance?
    /// When a launch stops waiting for its quota's turn; nil: the admission's own patience.
    public var giveUpAt: ContinuousClock.Instant?
    /// Who asks and from where, for the audit trail (`user:<id>`, `teacher:<id>`, …); nil:
    /// the caller audits the request itself.
    public var actor: String?
    public var address: String?

    public init(
        userID: UserID, environment: Environment, courseID: CourseID? = nil, resume: Bool = false, known: LabInstance? = nil,
        giveUpAt: ContinuousClock.Instant? = nil, actor: String? = nil, address: String? = nil
    ) {
        self.userID = userID
        self.environment = environment
        self.courseID = courseID
        self.resume = resume
        self.known = known
        self.giveUpAt = giveUpAt
        self.actor = actor
        self.address = address
    }
}
