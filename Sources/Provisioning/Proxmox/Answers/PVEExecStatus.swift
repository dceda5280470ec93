/// A command's state in the guest, from `GET …/agent/exec-status`: PVE has already decoded
/// the agent's base64 output.
public struct PVEExecStatus: Sendable, Hashable, Decodable {
    public var exited: Bool
    /// Set when the process ended normally.
    public var exitCode: Int?
    /// Set when a signal (or, on Windows, an exception) ended it.
    public var signal: Int?
    public var stdout: String
    public var stderr: String
    /// Whether the agent kept only the start of the output.
    public var truncated: Bool

    enum CodingKeys: String, CodingKey {
        case exited, exitcode, signal
        case outData = "out-data"
        case errData = "err-data"
        case outTruncated = "out-truncated"
        case errTruncated = "err-truncated"
    }

    public init(exited: Bool, exitCode: Int? = nil, signal: Int? = nil, stdout: String = "", stderr: String = "", truncated: Bool = false) {
        self.exited = exited
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exited = try c.lenientBool(.exited)
        exitCode = try c.lenientInt(.exitcode)
        signal = try c.lenientInt(.signal)
        stdout = try c.decodeIfPresent(String.self, forKey: .outData) ?? ""
        stderr = try c.decodeIfPresent(String.self, forKey: .errData) ?? ""
        truncated = try c.lenientBool(.outTruncated) || c.lenientBool(.errTruncated)
    }
}
