import Crypto
import Foundation
import NIOSSL
import PVESim
@testable import Provisioning
import SwiftASN1
import Testing
import X509

/// The client trusts what it is told to trust — a pinned fingerprint, a CA file, or the
/// system — and nothing else.
@Suite struct ProxmoxTLSTests {
    @Test func aPinnedFingerprintIsTheOnlyCertificateAccepted() async throws {
        let identity = try SelfSignedIdentity()
        let colons = identity.fingerprint.map { String(format: "%02X", $0) }.joined(separator: ":")
        try await serveOverTLS(identity) { baseURL in
            let pinned = try ProxmoxClient(settings: settings(baseURL, trust: .pinned(sha256: colons)))
            #expect(try await pinned.version() == "9.1.3")
            try await pinned.shutdown()

            let wrong = String(repeating: "AB", count: 32)
            let mismatched = try ProxmoxClient(settings: settings(baseURL, trust: .pinned(sha256: wrong)))
            await #expect(throws: ProxmoxError.untrustedCertificate("127.0.0.1:\(port(of: baseURL)) presented a certificate whose SHA-256 fingerprint is not the pinned one")) {
                try await mismatched.version()
            }
            try await mismatched.shutdown()
        }
    }

    @Test func aCertificateAuthorityFileIsTrustedAndTheSystemStoreIsNot() async throws {
        let identity = try SelfSignedIdentity()
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("pve-root-ca-\(UUID().uuidString).pem")
        try identity.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: caFile) }
        try await serveOverTLS(identity) { baseURL in
            let withCA = try ProxmoxClient(settings: settings(baseURL, trust: .certificateAuthority(file: caFile.path)))
            #expect(try await withCA.version() == "9.1.3")
            try await withCA.shutdown()

            let system = try ProxmoxClient(settings: settings(baseURL, trust: .system))
            await #expect {
                try await system.version()
            } throws: { error in
                if case .untrustedCertificate = error as? ProxmoxError { return true }
                return false
            }
            try await system.shutdown()
        }
    }

    @Test func plainHTTPIsOnlyForThisMachineAndABadPinIsRefusedAtOnce() {
        #expect(throws: ProxmoxError.invalidSettings("proxmox.url must use https unless it is on this machine (the simulator)")) {
            _ = try ProxmoxClient(settings: settings("http://pve1.example.edu:8006", trust: .system))
        }
        #expect(throws: ProxmoxError.self) { _ = try CertificatePin("AB:CD") }
    }

    private func settings(_ baseURL: String, trust: ProxmoxTrust) -> ProxmoxSettings {
        ProxmoxSettings(
            baseURL: baseURL, tokenID: SimTestbed.token.id, tokenSecret: SimTestbed.token.secret, trust: trust,
            connectTimeout: .seconds(1), retry: RetryPolicy(maxAttempts: 1))
    }

    private func port(of baseURL: String) -> Int { URL(string: baseURL)?.port ?? 0 }

    private func serveOverTLS(_ identity: SelfSignedIdentity, _ body: @Sendable (String) async throws -> Void) async throws {
        let cluster = try SimCluster(configuration: SimTestbed.configuration())
        let server = PVESimServer(cluster: cluster, requestLog: try SimTestbed.requestLog())
        try await server.serving(tls: try identity.serverConfiguration()) { baseURL in try await body(baseURL) }
    }
}

/// A certificate for 127.0.0.1 signed by its own key, as a fresh Proxmox node has.
struct SelfSignedIdentity {
    let key = P256.Signing.PrivateKey()
    let certificate: Certificate

    init() throws {
        let name = try DistinguishedName { CommonName("pve1.labgate.test") }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now - 60,
            notValidAfter: now + 3600, issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            },
            issuerPrivateKey: .init(key))
    }

    var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

    var fingerprint: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return Array(SHA256.hash(data: serializer.serializedBytes))
    }

    func serverConfiguration() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem)))
    }
}
