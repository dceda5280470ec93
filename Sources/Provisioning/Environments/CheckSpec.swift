import Foundation

/// A check of the student's work, run inside the lab's first VM through the QEMU guest
/// agent: a shell line (`command: test -f ~/hello.txt`, run by `/bin/sh -c`) or a program
/// with its arguments (`command: [powershell, -Command, …]`). It passes when the command
/// exits 0, or, with `outputMatches`, when what it prints matches that regular expression.
public struct CheckSpec: Sendable, Hashable, Codable {
    /// What the guest runs.
    public enum Command: Sendable, Hashable, Codable {
        case shell(String)
        case program([String])

        /// The program and its arguments, as the guest agent takes them.
        public var argv: [String] {
            switch self {
            case .shell(let line): ["/bin/sh", "-c", line]
            case .program(let argv): argv
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let line = try? container.decode(String.self) {
                self = .shell(line)
            } else {
                self = .program(try container.decode([String].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .shell(let line): try container.encode(line)
            case .program(let argv): try container.encode(argv)
            }
        }
    }

    public var name: String
    public var command: Command
    public var timeoutSeconds: Int
    public var points: Int
    public var outputMatches: String?

    public init(name: String, command: Command, timeoutSeconds: Int = 30, points: Int = 1, outputMatches: String? = nil) {
        self.name = name
        self.command = command
        self.timeoutSeconds = timeoutSeconds
        self.points = points
        self.outputMatches = outputMatches
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        command = try c.decode(Command.self, forKey: .command)
        timeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 30
        points = try c.decodeIfPresent(Int.self, forKey: .points) ?? 1
        outputMatches = try c.decodeIfPresent(String.self, forKey: .outputMatches)
    }

    /// What is wrong with the check, each problem prefixed with `place`.
    func problems(at place: String) -> [String] {
        var problems: [String] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 80 { problems.append("\(place).name must be 1 to 80 characters") }
        if command.argv.isEmpty || command.argv[0].isEmpty || command.argv.contains(where: { $0.contains("\0") }) {
            problems.append("\(place).command must name a program (a shell line, or a list: program, then its arguments)")
        }
        if !(1...600).contains(timeoutSeconds) { problems.append("\(place).timeoutSeconds must be 1 to 600") }
        if !(0...1000).contains(points) { problems.append("\(place).points must be 0 to 1000") }
        if let pattern = outputMatches, (try? NSRegularExpression(pattern: pattern)) == nil {
            problems.append("\(place).outputMatches is not a regular expression")
        }
        return problems
    }

    /// Whether the command's exit code and output pass the check.
    func passes(exitCode: Int?, output: String) -> Bool {
        guard let pattern = outputMatches else { return exitCode == 0 }
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return false }
        return expression.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil
    }
}
