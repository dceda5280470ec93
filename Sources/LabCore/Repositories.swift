/// Every relational port, as one value the executable wires and hands to the modules.
public struct Repositories: Sendable {
    public var platforms: any PlatformRepository
    public var users: any UserRepository
    public var courses: any CourseRepository
    public var environments: any EnvironmentRepository
    public var instances: any LabInstanceRepository
    public var audit: any AuditLog
    public var jobs: any JobLedger
    public var toolKeys: any ToolKeyRepository
    public var launchSnapshots: any LaunchSnapshotRepository
    public var reservations: any ResourceReservations
    public var apiTokens: any APITokenRepository
    public var quotas: any QuotaRepository
    public var invitations: any PlatformInvitationRepository
    public var grades: any GradeRepository
    public var enrolments: any EnrolmentRepository
    public var checkRuns: any CheckRunRepository
    public var webServices: any WebServiceAccessRepository
    public var checkpoints: any LabCheckpointRepository
    public var classSessions: any ClassSessionRepository
    public var fencingTokens: any FencingTokens
    public var admissionGates: any AdmissionGates

    public init(
        platforms: any PlatformRepository, users: any UserRepository, courses: any CourseRepository,
        environments: any EnvironmentRepository, instances: any LabInstanceRepository,
        audit: any AuditLog, jobs: any JobLedger, toolKeys: any ToolKeyRepository,
        launchSnapshots: any LaunchSnapshotRepository, reservations: any ResourceReservations, apiTokens: any APITokenRepository,
        quotas: any QuotaRepository, invitations: any PlatformInvitationRepository, grades: any GradeRepository,
        enrolments: any EnrolmentRepository, checkRuns: any CheckRunRepository,
        webServices: any WebServiceAccessRepository, checkpoints: any LabCheckpointRepository,
        classSessions: any ClassSessionRepository, fencingTokens: any FencingTokens,
        admissionGates: any AdmissionGates
    ) {
        self.platforms = platforms
        self.users = users
        self.courses = courses
        self.environments = environments
        self.instances = instances
        self.audit = audit
        self.jobs = jobs
        self.toolKeys = toolKeys
        self.launchSnapshots = launchSnapshots
        self.reservations = reservations
        self.apiTokens = apiTokens
        self.quotas = quotas
        self.invitations = invitations
        self.grades = grades
        self.enrolments = enrolments
        self.checkRuns = checkRuns
        self.webServices = webServices
        self.checkpoints = checkpoints
        self.classSessions = classSessions
        self.fencingTokens = fencingTokens
        self.admissionGates = admissionGates
    }
}
