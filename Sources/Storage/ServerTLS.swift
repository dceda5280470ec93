import LabCore
import NIOCore
import NIOSSL

/// TLS to a server LabGate is a client of (MariaDB, Redis): the server's certificate is
/// checked against the authorities in `caFile` (the system's when nil) and against the host
/// LabGate connects to, by name or address.
public struct ServerTLS: Sendable, Hashable {
    /// PEM file of the authorities that sign the server's certificate.
    public var caFile: String?

    public init(caFile: String? = nil) {
        self.caFile = caFile
    }

    /// The handler that speaks TLS on a connection to `host`; `component` names the server
    /// for people ("database", "redis").
    func clientHandler(host: String, component: String) throws(StoreError) -> NIOSSLClientHandler {
        try Self.handler(context(component: component), host: host, component: component)
    }

    /// What a connection's handlers share (one per attempt while a restarting server refuses):
    /// the authorities, read at each new connection, so a renewed file needs no restart.
    func context(component: String) throws(StoreError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile { configuration.trustRoots = .file(caFile) }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .failed("TLS to the \(component) cannot be set up: \(caFile.map { "the authorities in \($0) cannot be read" } ?? "\(error)")")
        }
    }

    /// The handler for one connection to `host`, made from a shared `context`.
    static func handler(_ context: NIOSSLContext, host: String, component: String) throws(StoreError) -> NIOSSLClientHandler {
        do {
            // An address is checked against the certificate's IP addresses; SNI takes only names.
            let name = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
            return try NIOSSLClientHandler(context: context, serverHostname: name)
        } catch {
            throw .failed("TLS to the \(component) at \(host) cannot be set up: \(error)")
        }
    }

    /// Why a TLS handshake with `host:port` failed, in words a person can act on.
    func failure(_ error: any Error, host: String, port: Int) -> String {
        "TLS with \(host):\(port) failed (\(error)): its certificate must be signed by \(caFile.map { "the authorities in \($0)" } ?? "an authority this system trusts") and name \(host)"
    }

    /// Whether `error` is one of a TLS handshake or session.
    static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError
    }
}
