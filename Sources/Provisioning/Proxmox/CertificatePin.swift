import Crypto
import NIOSSL

/// A certificate pinned by its SHA-256 fingerprint, as Proxmox's web interface shows it
/// (Node → System → Certificates). Only the leaf's fingerprint counts: no chain is built,
/// so a node's own `pve-ssl.pem` (CA:FALSE, signed by the cluster's CA) can be pinned as
/// well as a self-signed one.
struct CertificatePin: Sendable, Hashable {
    let fingerprint: [UInt8]

    init(_ text: String) throws(ProxmoxError) {
        let hex = text.filter { $0 != ":" && !$0.isWhitespace }.lowercased()
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
            let byte = UInt8(hex[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        guard bytes.count == 32, index == hex.endIndex else {
            throw .invalidSettings("the pinned fingerprint must be 32 bytes of SHA-256 in hex, as Proxmox shows it")
        }
        fingerprint = bytes
    }

    /// The fingerprint of `certificate` (nil if it cannot be encoded).
    static func fingerprint(of certificate: NIOSSLCertificate) -> [UInt8]? {
        guard let der = try? certificate.toDERBytes() else { return nil }
        return Array(SHA256.hash(data: der))
    }

    /// `AB:CD:…`, as Proxmox writes fingerprints.
    static func display(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: ":")
    }
}
