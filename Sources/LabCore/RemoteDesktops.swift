import Foundation

/// How a student reaches the desktop of a lab instance's first VM.
public struct DesktopAccess: Sendable, Hashable {
    /// `rdp`, `vnc` or `ssh`.
    public var protocolName: String
    public var port: Int
    /// The guest account to log in as, when the environment makes one (cloud-init).
    public var username: String?

    public init(protocolName: String, port: Int, username: String? = nil) {
        self.protocolName = protocolName
        self.port = port
        self.username = username
    }
}

/// Makes a ready lab instance reachable through the remote-desktop gateway, and takes it
/// away again. Provisioning calls it at the edges of `ready`; GuacBridge implements it.
public protocol RemoteDesktops: Sendable {
    /// Publishes (or refreshes) the instance's connection for its student; idempotent.
    func publish(_ instance: LabInstance, access: DesktopAccess) async throws
    /// Keeps the student from connecting (a stopping or resetting instance).
    func withdraw(_ instance: LabInstance) async throws
    /// Removes every record of the instance.
    func remove(_ instance: LabInstance) async throws
    /// The sessions on every lab's desktop that are open or ended after `since`, by lab; a lab
    /// without any is absent. Throws when the gateway's records cannot be read.
    func activity(since: Date) async throws -> [LabInstanceID: DesktopActivity]
}
