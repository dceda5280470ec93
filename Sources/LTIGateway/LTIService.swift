import Foundation
import LabCore
import Logging
import WebSupport

/// Everything the LTI routes need, built once by the executable: the platform registry
/// and its cache, the key-set cache, the tool's keys, outbound calls and the ephemeral store.
public final class LTIService: Sendable {
    public let settings: LTISettings
    public let registry: PlatformRegistry
    public let toolKeys: ToolKeyRing
    let repositories: Repositories
    let ephemeral: any EphemeralStore
    /// Where a student's launch asks for their lab.
    let labs: any LabRequests
    /// Where a launch sends people afterwards.
    let destinations: LaunchDestinations
    let box: SecretBox
    let directory: PlatformDirectory
    /// The browser's sessions, which a launch begins.
    public let web: WebSessions
    let http: OutboundHTTP
    let keySets: KeySetCache
    /// Tokens for the platforms' services (grades, roster), shared by every caller.
    let serviceTokens: ServiceTokens
    /// Each platform's Moodle web services (roles, groups, timetable, messages).
    public let webServices: MoodleWebServices
    let logger: Logger

    public init(
        settings: LTISettings, repositories: Repositories, ephemeral: any EphemeralStore, labs: any LabRequests,
        destinations: LaunchDestinations, box: SecretBox, logger: Logger
    ) {
        self.settings = settings
        self.repositories = repositories
        self.ephemeral = ephemeral
        self.labs = labs
        self.destinations = destinations
        self.box = box
        self.logger = logger
        self.directory = PlatformDirectory(
            repository: repositories.platforms, lifetime: settings.registryCacheLifetime, allowInsecureLoopback: settings.allowInsecureLoopback)
        self.registry = PlatformRegistry(repository: repositories.platforms, directory: directory)
        self.toolKeys = ToolKeyRing(repository: repositories.toolKeys, box: box)
        self.web = WebSessions(
            store: SessionStore(ephemeral: ephemeral, box: box, lifetime: settings.sessionLifetime), box: box,
            trustForwardedFor: settings.trustForwardedFor, publicURL: settings.publicURL)
        self.http = OutboundHTTP(
            policy: OutboundURLPolicy(
                allowInsecureLoopback: settings.allowInsecureLoopback, allowPrivateAddresses: settings.allowPrivateAddresses))
        self.serviceTokens = ServiceTokens(http: http, toolKeys: toolKeys)
        self.webServices = MoodleWebServices(repository: repositories.webServices, box: box, http: http)
        self.keySets = KeySetCache(
            http: http, maxAge: settings.keySetMaxAge, refetchInterval: settings.keySetRefetchInterval, logger: logger)
    }

    var login: LoginInitiation { LoginInitiation(directory: directory, box: box, settings: settings) }
    var validator: LaunchValidator { LaunchValidator(directory: directory, keySets: keySets, ephemeral: ephemeral, box: box, settings: settings) }
    var mapper: LaunchMapper { LaunchMapper(repositories: repositories, ephemeral: ephemeral, labs: labs) }
    var dynamicRegistration: DynamicRegistration {
        DynamicRegistration(
            http: http, registry: registry, ephemeral: ephemeral, invitations: PlatformInvitations(repository: repositories.invitations), settings: settings)
    }

    /// Scores on their way to the platforms' gradebooks, queued on `queue`.
    public func gradePassback(queue: any JobQueue, settings: JobQueueSettings, audit: AuditTrail) -> GradePassback {
        GradePassback(
            repositories: repositories, queue: queue, grades: AssignmentGrades(service: PlatformServiceCall(http: http, tokens: serviceTokens)), audit: audit,
            retryDelay: settings.backoff(after:), logger: logger)
    }

    /// Messages to students in Moodle, delivered by jobs.
    public func studentMessages(audit: AuditTrail) -> StudentMessages {
        StudentMessages(repositories: repositories, webServices: webServices, audit: audit, logger: logger)
    }

    /// Rosters read from the platforms; old ones are read again by jobs on `queue`.
    public func rosters(queue: any JobQueue, audit: AuditTrail) -> RosterSync {
        RosterSync(
            repositories: repositories, roles: NamesAndRoles(service: PlatformServiceCall(http: http, tokens: serviceTokens)), queue: queue,
            ephemeral: ephemeral, labs: labs, audit: audit, maxAge: settings.rosterMaxAge, leaverGrace: settings.leaverGrace, logger: logger)
    }

    /// The sites that may frame LabGate's pages: the active platforms' origins. When they
    /// cannot be read, none (a page then shows in its own window only, never in a stranger's frame).
    public func frameAncestors() async -> [String] {
        do {
            return try await directory.frameAncestors()
        } catch {
            logger.warning("the platforms that may frame pages could not be read", metadata: ["error": .string("\(error)")])
            return []
        }
    }

    /// Closes outbound connections.
    public func shutdown() async {
        await http.shutdown()
    }
}
