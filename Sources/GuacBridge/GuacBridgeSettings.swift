import Foundation

/// How LabGate writes Guacamole's records and sends students to Guacamole.
public struct GuacBridgeSettings: Sendable {
    /// LabGate's own public address, without a trailing slash: single-use links are made on it.
    public var gatewayURL: String
    /// Guacamole's address (`https://lab.example.edu/guacamole`), or nil when there is no
    /// Guacamole: links then open LabGate's own preview of the login.
    public var guacamoleURL: String?
    /// The connection group LabGate's connections live in.
    public var group: String
    /// RDP `security` (`any`, `nla`, `tls`, `rdp`, `vmconnect`), when set.
    public var rdpSecurity: String?
    /// RDP `ignore-cert`: lab VMs mostly have self-signed certificates.
    public var ignoreCertificate: Bool
    /// Where guacd records sessions, or nil for no recording.
    public var recordingPath: String?
    public var maxConnections: Int?
    public var maxConnectionsPerUser: Int?
    /// How long a single-use link and the auth-json login it leads to are good for.
    public var linkLifetime: Duration

    public init(
        gatewayURL: String = "http://127.0.0.1:8080", guacamoleURL: String? = nil, group: String = "labgate", rdpSecurity: String? = nil,
        ignoreCertificate: Bool = true,
        recordingPath: String? = nil, maxConnections: Int? = nil, maxConnectionsPerUser: Int? = nil, linkLifetime: Duration = .seconds(60)
    ) {
        self.gatewayURL = gatewayURL.hasSuffix("/") ? String(gatewayURL.dropLast()) : gatewayURL
        self.guacamoleURL = guacamoleURL
        self.group = group
        self.rdpSecurity = rdpSecurity
        self.ignoreCertificate = ignoreCertificate
        self.recordingPath = recordingPath
        self.maxConnections = maxConnections
        self.maxConnectionsPerUser = maxConnectionsPerUser
        self.linkLifetime = linkLifetime
    }
}
