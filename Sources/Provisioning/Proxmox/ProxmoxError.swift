/// What went wrong talking to Proxmox VE, in words an admin can act on; PVE's own message
/// is kept whole.
public enum ProxmoxError: Error, Hashable, CustomStringConvertible {
    /// PVE answered with an error: its status and message (reason phrase, `message`, `errors`).
    case api(status: Int, message: String)
    /// 595: the proxy could not reach the node.
    case nodeUnreachable(String)
    /// The request did not reach PVE (refused, timed out connecting); `sent` if it may have.
    case connection(String, sent: Bool)
    /// The token was refused (401).
    case unauthorized(String)
    /// The server's certificate is not the one configured.
    case untrustedCertificate(String)
    /// A task ended with an error; `status` is PVE's exit status text.
    case taskFailed(upid: String, status: String)
    /// A task or wait went on longer than allowed.
    case timedOut(String)
    /// The clone's new VMID is already in use.
    case vmidTaken(Int)
    /// PVE's answer did not have the expected shape.
    case unexpectedAnswer(String)
    /// The configuration cannot be used (bad URL, unreadable CA file).
    case invalidSettings(String)

    /// Whether trying the same call again later may succeed without anything changing on our side.
    public var isTransient: Bool {
        switch self {
        case .nodeUnreachable, .connection: true
        case .api(_, let message): Self.isLockTimeout(message)
        case .taskFailed(_, let status): Self.isLockTimeout(status)
        default: false
        }
    }

    /// Whether the call certainly had no effect, so that even a non-idempotent one may be repeated.
    public var certainlyNotApplied: Bool {
        switch self {
        case .nodeUnreachable: true
        case .connection(_, let sent): !sent
        case .api(_, let message): Self.isLockTimeout(message)
        default: false
        }
    }

    /// PVE's `can't lock file '…' - got timeout` and its cluster-lock sibling.
    static func isLockTimeout(_ message: String) -> Bool {
        message.contains("got timeout") || message.contains("got lock request timeout")
    }

    public var description: String {
        switch self {
        case .api(let status, let message): "Proxmox VE answered \(status): \(message)"
        case .nodeUnreachable(let message): "Proxmox VE cannot reach the node (595 \(message))"
        case .connection(let message, _): "cannot connect to Proxmox VE: \(message)"
        case .unauthorized(let message): "Proxmox VE refused the API token (\(message)); check the token id and its secret"
        case .untrustedCertificate(let message): "the Proxmox VE certificate is not trusted: \(message)"
        case .taskFailed(let upid, let status): "Proxmox VE task \(upid) failed: \(status)"
        case .timedOut(let what): "timed out: \(what)"
        case .vmidTaken(let vmid): "VMID \(vmid) is already in use in the cluster"
        case .unexpectedAnswer(let what): "unexpected answer from Proxmox VE: \(what)"
        case .invalidSettings(let what): "invalid Proxmox VE settings: \(what)"
        }
    }
}
