/// Where the Proxmox VE API is and how LabGate proves who it is and checks who answers.
public struct ProxmoxSettings: Sendable {
    /// `https://pve.example.edu:8006` (no path); `http` only for the simulator on loopback.
    public var baseURL: String
    /// `USER@REALM!TOKENID`.
    public var tokenID: String
    public var tokenSecret: String
    public var trust: ProxmoxTrust
    /// How long connecting may take; a refused certificate also shows only after it.
    public var connectTimeout: Duration
    /// How long one API call may take.
    public var requestTimeout: Duration
    public var retry: RetryPolicy
    /// How often a running task is asked for its status.
    public var taskPollInterval: Duration

    public init(
        baseURL: String, tokenID: String, tokenSecret: String, trust: ProxmoxTrust = .system,
        connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30), retry: RetryPolicy = .init(), taskPollInterval: Duration = .seconds(1)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tokenID = tokenID
        self.tokenSecret = tokenSecret
        self.trust = trust
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.taskPollInterval = taskPollInterval
    }
}

/// Which server certificates the client accepts. There is deliberately no "accept any".
public enum ProxmoxTrust: Sendable, Hashable {
    /// The system's trusted certificate authorities, with the host name checked.
    case system
    /// Certificates issued by the authority in this PEM file (Proxmox's `pve-root-ca.pem`).
    case certificateAuthority(file: String)
    /// Exactly the certificate with this SHA-256 fingerprint (hex, colons optional), as
    /// Proxmox's web interface shows it.
    case pinned(sha256: String)
}

/// How often and how patiently a transient failure is tried again.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 4, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// The pause before attempt `attempt + 1`: doubling from `initialDelay`, capped, with
    /// up to half of it random so that many workers do not retry in step.
    public func delay(after attempt: Int) -> Duration {
        let doubled = initialDelay * (1 << min(max(0, attempt - 1), 20))
        let capped = min(doubled, maxDelay)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }
}
