/// The environments (labs) courses can use.
public protocol EnvironmentRepository: Sendable {
    /// Stores an environment under its name, replacing the one of the same name (its id is kept).
    func save(_ environment: Environment) async throws -> Environment
    /// The environment with this id.
    func find(id: EnvironmentID) async throws -> Environment?
    /// The environment with this name.
    func find(name: String) async throws -> Environment?
    /// All environments, by name.
    func list() async throws -> [Environment]
    /// Removes an environment; returns false if there was none. Activities bound to it become unbound.
    func remove(id: EnvironmentID) async throws -> Bool
}
