import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

extension SimTLS {
    /// The certificates the Proxmox VE installer makes, written into `folder` (made 0700)
    /// unless they are there already: `pve-root-ca.pem` (the cluster's CA, CA:TRUE) signing
    /// `pve-ssl.pem` (the node's, CA:FALSE, for its names and addresses), each with its key.
    /// Serves `pve-ssl.pem`; a client trusts `pve-root-ca.pem` or pins the leaf.
    public static func proxmoxInstallerLayout(in folder: String, node: String, addresses: [String] = ["127.0.0.1", "::1"]) throws -> SimTLS {
        let files = InstallerFiles(folder: folder)
        if !FileManager.default.fileExists(atPath: files.leaf) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let caKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let caName = try DistinguishedName {
                CommonName("Proxmox Virtual Environment")
                OrganizationalUnitName(UUID().uuidString.lowercased())
                OrganizationName("PVE Cluster Manager CA")
            }
            let ca = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: Date() - 3600,
                notValidAfter: Date() + 10 * 365 * 86_400, issuer: caName, subject: caName, signatureAlgorithm: .sha256WithRSAEncryption,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    KeyUsage(keyCertSign: true, cRLSign: true)
                },
                issuerPrivateKey: .init(caKey))
            let leafKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let leaf = try nodeCertificate(for: node, addresses: addresses, key: leafKey, issuer: caName, issuerKey: caKey)
            try write(ca, caKey, to: files.ca, files.caKey)
            try write(leaf, leafKey, to: files.leaf, files.leafKey)
        }
        return try SimTLS(certificateFile: files.leaf, keyFile: files.leafKey)
    }

    /// A node certificate signed by its own key without CA rights (CA:FALSE), as some
    /// installations have after replacing `pve-ssl.pem` by hand; written into `folder`.
    public static func selfSignedLeaf(in folder: String, node: String, addresses: [String] = ["127.0.0.1", "::1"]) throws -> SimTLS {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try nodeName(node)
        let leaf = try nodeCertificate(for: node, addresses: addresses, key: key, issuer: name, issuerKey: key)
        let files = InstallerFiles(folder: folder)
        try write(leaf, key, to: files.leaf, files.leafKey)
        return try SimTLS(certificateFile: files.leaf, keyFile: files.leafKey)
    }

    /// Where the installer's files live in a folder.
    public struct InstallerFiles: Sendable {
        public let ca: String
        public let caKey: String
        public let leaf: String
        public let leafKey: String

        public init(folder: String) {
            ca = folder + "/pve-root-ca.pem"
            caKey = folder + "/pve-root-ca.key"
            leaf = folder + "/pve-ssl.pem"
            leafKey = folder + "/pve-ssl.key"
        }
    }

    private static func nodeName(_ node: String) throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationalUnitName("PVE Cluster Node")
            OrganizationName("Proxmox Virtual Environment")
            CommonName(node)
        }
    }

    /// The node's certificate as `pvecm updatecerts` makes it: server authentication for
    /// its host name, `localhost` and its addresses.
    private static func nodeCertificate(
        for node: String, addresses: [String], key: _RSA.Signing.PrivateKey, issuer: DistinguishedName, issuerKey: _RSA.Signing.PrivateKey
    ) throws -> Certificate {
        let short = String(node.split(separator: ".").first ?? Substring(node))
        var names: [GeneralName] = [.dnsName("localhost"), .dnsName(short)]
        if short != node { names.append(.dnsName(node)) }
        for address in addresses {
            if let bytes = ipBytes(address) { names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...]))) }
        }
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date() - 3600,
            notValidAfter: Date() + 2 * 365 * 86_400, issuer: issuer, subject: try nodeName(node), signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                BasicConstraints.notCertificateAuthority
                KeyUsage(digitalSignature: true, nonRepudiation: true, keyEncipherment: true)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(issuerKey))
    }

    private static func ipBytes(_ address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func write(_ certificate: Certificate, _ key: _RSA.Signing.PrivateKey, to certificateFile: String, _ keyFile: String) throws {
        try certificate.serializeAsPEM().pemString.write(toFile: certificateFile, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: keyFile, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
    }
}
