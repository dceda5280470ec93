import AsyncHTTPClient
import NIOSSL

/// The HTTP client for one Proxmox endpoint, made on first use so that a pinned
/// certificate can be fetched and checked once the server is reachable.
actor ProxmoxTransport {
    private let host: String
    private let port: Int
    private let trust: ProxmoxTrust
    private let connectTimeout: Duration
    private var made: HTTPClient?

    init(host: String, port: Int, trust: ProxmoxTrust, connectTimeout: Duration) {
        self.host = host
        self.port = port
        self.trust = trust
        self.connectTimeout = connectTimeout
    }

    func client() async throws(ProxmoxError) -> HTTPClient {
        if let made { return made }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch trust {
        case .system:
            break
        case .certificateAuthority(let file):
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw .invalidSettings("cannot read the CA certificate file \(file): \(error)")
            }
        case .pinned(let fingerprint):
            let certificate = try await CertificatePin(fingerprint).fetch(host: host, port: port, connectTimeout: connectTimeout)
            if let made { return made }
            tls.trustRoots = .certificates([certificate])
            // The pin names the certificate itself, so the name in it need not match the URL.
            tls.certificateVerification = .noHostnameVerification
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout.connect = .nanoseconds(Int64(connectTimeout / .nanoseconds(1)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        made = client
        return client
    }

    func shutdown() async throws {
        try await made?.shutdown()
        made = nil
    }
}
