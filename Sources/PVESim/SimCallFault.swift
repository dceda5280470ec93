/// Trouble a simulated call runs into, as a real cluster shows it.
public enum SimTrouble: String, Sendable, Codable, CaseIterable {
    /// 595: the proxy cannot reach the node (node calls only).
    case unreachable
    /// 500 `can't lock file '/var/lock/qemu-server/lock-N.conf' - got timeout` (writes to a VM only).
    case lockTimeout
    /// The call is carried out, then the connection is cut before the answer is complete.
    case connectionReset
    /// The call starts its task, and the task ends in `TASK ERROR` (task-starting calls only).
    case taskFailure
    /// The guest agent answers `QEMU guest agent is not running` (agent calls only).
    case agentSilent

    /// Whether this trouble can happen on `method path` (below `/api2/json`).
    func applies(method: String, path: String) -> Bool {
        let vmCall = path.hasPrefix("/nodes/") && path.contains("/qemu/")
        switch self {
        case .unreachable: return path.hasPrefix("/nodes/")
        case .lockTimeout: return vmCall && method != "GET" && !path.contains("/agent/")
        case .connectionReset: return true
        case .taskFailure:
            return vmCall && method != "GET"
                && ["/clone", "/status/start", "/status/stop", "/status/shutdown", "/snapshot", "/rollback"]
                    .contains { path.hasSuffix($0) }
                || (method == "DELETE" && vmCall)
        case .agentSilent: return path.contains("/agent/")
        }
    }
}

/// A fault for the calls that match: `method` (any when nil) and a path ending in `path`,
/// answered with `trouble` the next `times` times (every time when nil).
public struct SimCallFault: Sendable, Codable, Equatable {
    public var method: String?
    public var path: String
    public var trouble: SimTrouble
    public var times: Int?

    public init(method: String? = nil, path: String, trouble: SimTrouble, times: Int? = nil) {
        self.method = method
        self.path = path
        self.trouble = trouble
        self.times = times
    }

    func matches(method: String, path: String) -> Bool {
        (self.method == nil || self.method == method) && path.hasSuffix(self.path) && (times ?? 1) > 0
    }
}

/// A small seeded generator (SplitMix64), so a fault run can be repeated exactly.
struct SimRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `rate`.
    mutating func chance(_ rate: Double) -> Bool {
        rate > 0 && Double(next() >> 11) / Double(1 << 53) < rate
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(next() % UInt64(items.count))]
    }
}
