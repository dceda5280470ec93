/// A task's state, from `GET /nodes/{node}/tasks/{upid}/status`.
public struct PVETaskStatus: Sendable, Hashable, Decodable {
    public var running: Bool
    /// `OK`, `WARNINGS: n`, or the error text; only once the task has stopped.
    public var exitStatus: String?

    enum CodingKeys: String, CodingKey { case status, exitstatus }

    public init(running: Bool, exitStatus: String?) {
        self.running = running
        self.exitStatus = exitStatus
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        running = try c.decode(String.self, forKey: .status) == "running"
        exitStatus = try c.decodeIfPresent(String.self, forKey: .exitstatus)
    }

    /// How a stopped task ended: `nil` while it runs.
    public var outcome: TaskOutcome? {
        guard !running else { return nil }
        guard let exitStatus else { return .failed("the task stopped without an exit status") }
        if exitStatus == "OK" { return .ok }
        if exitStatus.hasPrefix("WARNINGS: "), let count = Int(exitStatus.dropFirst(10)) { return .warnings(count) }
        return .failed(exitStatus)
    }
}

/// How a Proxmox task ended. Warnings are success.
public enum TaskOutcome: Sendable, Hashable {
    case ok
    case warnings(Int)
    case failed(String)
}

/// A line of a task's log.
public struct PVETaskLogLine: Sendable, Hashable, Decodable {
    public var n: Int
    public var t: String
}
