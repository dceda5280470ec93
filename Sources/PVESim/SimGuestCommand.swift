/// How a command run through the guest agent (`agent/exec`) turns out in the simulated
/// guests: a command whose line contains `match`, in the VMs `vmids` (every VM when nil),
/// exits with `exitCode` after `seconds` (simulated), printing `stdout` and `stderr`.
/// Commands nothing matches exit 127 with a shell's "not found", as in a real guest.
public struct SimGuestCommand: Sendable, Codable, Equatable {
    public var match: String
    public var vmids: [Int]?
    public var exitCode: Int
    public var stdout: String
    public var stderr: String
    public var seconds: Double

    public init(match: String, vmids: [Int]? = nil, exitCode: Int = 0, stdout: String = "", stderr: String = "", seconds: Double = 1) {
        self.match = match
        self.vmids = vmids
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        match = try c.decode(String.self, forKey: .match)
        vmids = try c.decodeIfPresent([Int].self, forKey: .vmids)
        exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode) ?? 0
        stdout = try c.decodeIfPresent(String.self, forKey: .stdout) ?? ""
        stderr = try c.decodeIfPresent(String.self, forKey: .stderr) ?? ""
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 1
    }

    /// The outcome of `argv` in VM `vmid`: the last matching entry wins, so a test can add
    /// one VM's exception after the class's rule.
    static func outcome(of argv: [String], vmid: Int, in commands: [SimGuestCommand]) -> SimGuestCommand {
        let line = argv.joined(separator: " ")
        if let found = commands.last(where: { ($0.vmids?.contains(vmid) ?? true) && line.contains($0.match) }) { return found }
        let program = argv.last.flatMap { $0.split(separator: " ").first }.map(String.init) ?? "command"
        return SimGuestCommand(match: line, exitCode: 127, stderr: "sh: 1: \(program): not found\n", seconds: 0.1)
    }
}

/// A process the guest agent started: what it will report once its time is up.
struct SimGuestProcess {
    var endsAt: Double
    var outcome: SimGuestCommand
}
