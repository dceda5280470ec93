/// Where a quota is made exact: admissions through the same gate run one after another in
/// the database, each counting what the one before it made. The ephemeral store's turns
/// (`AdmissionTurns`) only keep the waiting off the database; a turn can be lost (Redis
/// restarted or failed over) or outlived (a holder stalled past its expiry), a gate cannot.
public protocol AdmissionGates: Sendable {
    /// Runs `body` in one transaction that holds every gate of `names` (taken in one order),
    /// with the lab instances as that transaction reads and writes them: committed if `body`
    /// returns, undone if it throws, and run again whole if the database asks for a retry.
    func passing<T: Sendable>(_ names: [String], _ body: @Sendable (any LabInstanceRepository) async throws -> T) async throws -> T
}
