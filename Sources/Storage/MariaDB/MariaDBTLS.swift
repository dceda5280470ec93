import LabCore
import NIOCore
import NIOSSL

/// TLS to MariaDB: the server's certificate is checked against the authorities in `caFile`
/// (the system's when nil) and against the host LabGate connects to, by name or address.
public struct MariaDBTLS: Sendable, Hashable {
    /// PEM file of the authorities that sign the server's certificate.
    public var caFile: String?

    public init(caFile: String? = nil) {
        self.caFile = caFile
    }

    /// The handler that speaks TLS on a connection to `host`, once the server agreed to it.
    func clientHandler(host: String) throws(StoreError) -> NIOSSLClientHandler {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile { configuration.trustRoots = .file(caFile) }
        do {
            // An address is checked against the certificate's IP addresses; SNI takes only names.
            let name = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
            return try NIOSSLClientHandler(context: NIOSSLContext(configuration: configuration), serverHostname: name)
        } catch {
            throw .failed("TLS to the database cannot be set up: \(caFile.map { "the authorities in \($0) cannot be read" } ?? "\(error)")")
        }
    }
}
