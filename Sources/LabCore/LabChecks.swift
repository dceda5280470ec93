/// The checks an environment declares, run inside a student's lab: the lab page's "Check my
/// work" and "Hand in". `Provisioning`'s `CheckRunner` runs them through the guest agent.
public protocol LabChecks: Sendable {
    /// Runs the environment's checks in the lab's first VM and keeps the run as the lab's
    /// last. A check that cannot be judged is a result with its reason, never an error;
    /// throws `CheckRefusal` when the run may not happen now.
    func run(on instance: LabInstance, environment: Environment, handIn: Bool) async throws -> CheckRun
    /// How many checks the environment declares (0: none, nothing to run).
    func count(in environment: Environment) -> Int
}

/// Why checks did not run.
public enum CheckRefusal: Error, Equatable, CustomStringConvertible {
    /// The environment declares no checks.
    case noChecks
    /// A run of this lab's checks is under way.
    case running
    /// The lab's checks ran less than the allowed interval ago.
    case tooSoon(retryAfterSeconds: Int)

    public var description: String {
        switch self {
        case .noChecks: "this lab has no checks"
        case .running: "your work is being checked already; the results appear on this page when it is done"
        case .tooSoon(let seconds): "your work was checked a moment ago; you can check again in \(seconds) seconds"
        }
    }
}
