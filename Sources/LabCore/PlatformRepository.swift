/// Registered LTI platforms and their deployments.
public protocol PlatformRepository: Sendable {
    /// Stores a new platform; throws `StoreError.duplicate` if the issuer and client id are taken.
    func insert(_ platform: Platform) async throws
    /// Saves the changed fields of an existing platform; returns false if it does not exist.
    func update(_ platform: Platform) async throws -> Bool
    /// The platform with this id.
    func find(id: PlatformID) async throws -> Platform?
    /// The platform registered with this issuer and client id (one issuer may host several clients).
    func find(issuer: String, clientID: String) async throws -> Platform?
    /// All platforms, oldest first.
    func list() async throws -> [Platform]
    /// Removes a platform with its deployments; returns false if there was none. Its users and
    /// courses stay with another registration of the same issuer, or go with the last one.
    func remove(id: PlatformID) async throws -> Bool
    /// Registers a deployment id for a platform; adding it twice is harmless.
    func addDeployment(_ deploymentID: String, to platformID: PlatformID) async throws
    /// The deployment ids registered for a platform, sorted.
    func deployments(of platformID: PlatformID) async throws -> [String]
}
