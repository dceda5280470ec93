import Crypto
import Foundation
import NIOSSL

/// The HTTPS identity the simulator serves with, from PEM files.
public struct SimTLS: Sendable {
    public let configuration: TLSConfiguration
    /// SHA-256 of the certificate, `AB:CD:…`, as Proxmox shows it: what a client pins.
    public let fingerprint: String

    public init(certificateFile: String, keyFile: String) throws {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        guard let leaf = chain.first else { throw SimConfigurationError(description: "\(certificateFile) holds no certificate") }
        // Read as PEM whatever the file's suffix (NIOSSL takes a `.key` file for DER).
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        fingerprint = SHA256.hash(data: try leaf.toDERBytes()).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}
