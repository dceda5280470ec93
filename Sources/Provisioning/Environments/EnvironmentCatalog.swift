import LabCore

/// The environments courses can use, checked before they are stored: on their own, and
/// against the cluster (the template, node and storage must exist and fit together).
public struct EnvironmentCatalog: Sendable {
    let repository: any EnvironmentRepository
    let proxmox: ProxmoxClient

    public init(repository: any EnvironmentRepository, proxmox: ProxmoxClient) {
        self.repository = repository
        self.proxmox = proxmox
    }

    /// Stores `spec` (replacing the environment of its name, keeping its id) once it passes
    /// every check; throws `invalidEnvironment` with every problem otherwise.
    @discardableResult
    public func add(_ spec: EnvironmentSpec) async throws -> Environment {
        try spec.validate()
        let cluster = try await ClusterView.load(from: proxmox)
        let (problems, templates) = try await spec.clusterCheck(in: cluster, proxmox: proxmox)
        guard problems.isEmpty else { throw ProvisioningError.invalidEnvironment(name: spec.name, problems: problems) }
        let existing = try await repository.find(name: spec.name)
        return try await repository.save(try spec.sized(by: templates).environment(id: existing?.id ?? .random()))
    }

    /// Every environment with its specification, by name.
    public func list() async throws -> [(environment: Environment, spec: EnvironmentSpec)] {
        try await repository.list().map { ($0, try EnvironmentSpec.decode($0)) }
    }
}
