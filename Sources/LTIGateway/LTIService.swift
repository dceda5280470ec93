import Foundation
import LabCore
import Logging

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
    let box: SecretBox
    let directory: PlatformDirectory
    let http: OutboundHTTP
    let keySets: KeySetCache

    public init(
        settings: LTISettings, repositories: Repositories, ephemeral: any EphemeralStore, labs: any LabRequests, box: SecretBox, logger: Logger
    ) {
        self.settings = settings
        self.repositories = repositories
        self.ephemeral = ephemeral
        self.labs = labs
        self.box = box
        self.directory = PlatformDirectory(repository: repositories.platforms, lifetime: settings.registryCacheLifetime)
        self.registry = PlatformRegistry(repository: repositories.platforms, directory: directory)
        self.toolKeys = ToolKeyRing(repository: repositories.toolKeys, box: box)
        self.http = OutboundHTTP(policy: OutboundURLPolicy(
            allowInsecureLoopback: settings.allowInsecureLoopback, allowPrivateAddresses: settings.allowPrivateAddresses))
        self.keySets = KeySetCache(
            http: http, maxAge: settings.keySetMaxAge, refetchInterval: settings.keySetRefetchInterval, logger: logger)
    }

    var login: LoginInitiation { LoginInitiation(directory: directory, ephemeral: ephemeral, settings: settings) }
    var validator: LaunchValidator { LaunchValidator(directory: directory, keySets: keySets, ephemeral: ephemeral, settings: settings) }
    var mapper: LaunchMapper { LaunchMapper(repositories: repositories, ephemeral: ephemeral, labs: labs) }
    /// The live sessions and window passes.
    public var sessions: SessionStore { SessionStore(ephemeral: ephemeral, box: box, lifetime: settings.sessionLifetime) }
    var dynamicRegistration: DynamicRegistration {
        DynamicRegistration(
            http: http, registry: registry, ephemeral: ephemeral, invitations: PlatformInvitations(repository: repositories.invitations), settings: settings)
    }

    /// The CSRF token of the forms shown to the holder of a session cookie.
    func csrfToken(sessionCookie: String) -> String {
        box.tag(Data(sessionCookie.utf8), purpose: "csrf")
    }

    /// Closes outbound connections.
    public func shutdown() async {
        await http.shutdown()
    }
}
