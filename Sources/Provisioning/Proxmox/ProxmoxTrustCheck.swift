import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Decides in each TLS handshake whether the Proxmox server's certificate is trusted, and
/// when it is not, says why in words an admin can act on. It replaces BoringSSL's own
/// verification: a pin compares the leaf's SHA-256 and nothing else (BoringSSL would refuse
/// a CA:FALSE leaf as its own trust anchor), and a CA file or the system's authorities are
/// checked with swift-certificates' verifier (chain, validity, then the host name).
struct ProxmoxTrustCheck: Sendable {
    let endpoint: ProxmoxEndpoint
    let rule: Rule
    /// The client's TLS settings; verification itself is this check's callback.
    let configuration: TLSConfiguration

    enum Rule: Sendable {
        case pinned(CertificatePin)
        /// Roots from a PEM file; `source` names it in messages.
        case authorities(CertificateStore, source: String)
    }

    init(trust: ProxmoxTrust, endpoint: ProxmoxEndpoint, systemBundle: String) throws(ProxmoxError) {
        self.endpoint = endpoint
        switch trust {
        case .pinned(let fingerprint):
            rule = .pinned(try CertificatePin(fingerprint))
        case .certificateAuthority(let file):
            rule = .authorities(CertificateStore(try Self.certificates(in: file, role: "proxmox.caFile")), source: "the CA in proxmox.caFile (\(file))")
        case .system:
            rule = .authorities(
                CertificateStore(try Self.certificates(in: systemBundle, role: "the system's trust store")), source: "any authority this system trusts")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        // The callback below does all of the checking, host name included.
        configuration.certificateVerification = .noHostnameVerification
        self.configuration = configuration
    }

    /// The handshake's verification: records the words of a refusal in `verdict`.
    func callback(recording verdict: NIOLockedValueBox<String?>) -> NIOSSLCustomVerificationCallback {
        { presented, promise in
            promise.completeWithTask {
                guard let refusal = await refusal(of: presented) else { return .certificateVerified }
                verdict.withLockedValue { $0 = refusal }
                return .failed
            }
        }
    }

    /// Why the presented chain (leaf first) is not trusted, or nil when it is.
    func refusal(of presented: [NIOSSLCertificate]) async -> String? {
        let subject = "the certificate of \(endpoint.display)"
        guard let leaf = presented.first, let leafFingerprint = CertificatePin.fingerprint(of: leaf) else {
            return "\(endpoint.display) presented no certificate"
        }
        switch rule {
        case .pinned(let pin):
            guard leafFingerprint != pin.fingerprint else { return nil }
            return "\(subject) does not match the pinned fingerprint \(CertificatePin.display(pin.fingerprint)); "
                + "the server presents \(CertificatePin.display(leafFingerprint)) (proxmox.fingerprint)"
        case .authorities(let roots, let source):
            let chain = presented.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
            guard let certificate = chain.first else { return "\(subject) cannot be read" }
            let intermediates = CertificateStore(chain.dropFirst())
            let address = endpoint.isAddress ? endpoint.host : nil
            var verifier = Verifier(rootCertificates: roots) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: address == nil ? endpoint.host : nil, serverIP: address)
            }
            guard case .couldNotValidate = await verifier.validate(leaf: certificate, intermediates: intermediates) else { return nil }
            // Refused: the chain alone tells whether the authority or the name is the reason.
            var chainOnly = Verifier(rootCertificates: roots) { RFC5280Policy() }
            if case .couldNotValidate(let failures) = await chainOnly.validate(leaf: certificate, intermediates: intermediates) {
                if let failure = failures.first { return "\(subject) is not valid: \(failure.policyFailureReason)" }
                return "\(subject) is not signed by \(source): it was issued by '\(certificate.issuer)'. "
                    + "Trust the cluster's CA (proxmox.trust: ca, proxmox.caFile: /etc/pve/pve-root-ca.pem) "
                    + "or pin this certificate (proxmox.trust: pinned, fingerprint \(CertificatePin.display(leafFingerprint)))"
            }
            return "the host name does not match: \(subject) is for \(Self.names(in: certificate)), not '\(endpoint.host)'. "
                + "Use one of those names in proxmox.url"
        }
    }

    /// The DNS names and addresses a certificate is for, for messages.
    static func names(in certificate: Certificate) -> String {
        guard let names = try? certificate.extensions.subjectAlternativeNames, !names.isEmpty else { return "'\(certificate.subject)'" }
        return names.map { name -> String in
            switch name {
            case .dnsName(let dns): dns
            case .ipAddress(let bytes): Self.address(bytes.bytes)
            default: "\(name)"
            }
        }.joined(separator: ", ")
    }

    private static func address(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: bytes.startIndex, to: bytes.endIndex, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }.joined(separator: ":")
    }

    private static func certificates(in file: String, role: String) throws(ProxmoxError) -> [Certificate] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw .invalidSettings("cannot read \(role) \(file): \(ProxmoxEndpoint.shortReason(error))")
        }
        let certificates = (try? PEMDocument.parseMultiple(pemString: text))?.compactMap { try? Certificate(pemDocument: $0) } ?? []
        guard !certificates.isEmpty else { throw .invalidSettings("\(role) \(file) holds no PEM certificate") }
        return certificates
    }
}
