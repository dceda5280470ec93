import Foundation
import PVESim
import Testing

@testable import Provisioning

/// The client trusts what it is told to trust — a pinned fingerprint, a CA file, or the
/// system's authorities — against certificates laid out as Proxmox's installer makes them,
/// and says at once, in words, why it refuses one.
@Suite struct ProxmoxTLSTests {
    /// A fresh node: the cluster's CA (`pve-root-ca.pem`) signs the node's CA:FALSE `pve-ssl.pem`.
    @Test func aFreshNodeIsTrustedByPinByItsCAAndBySystemStoreHoldingIt() async throws {
        try await withFolder { folder in
            let tls = try SimTLS.proxmoxInstallerLayout(in: folder, node: "pve1.labgate.test")
            let ca = SimTLS.InstallerFiles(folder: folder).ca
            try await serve(tls) { baseURL in
                try await expectServed(baseURL: baseURL, .pinned(sha256: tls.fingerprint))
                try await expectServed(baseURL: baseURL, .pinned(sha256: tls.fingerprint.replacingOccurrences(of: ":", with: "").lowercased()))
                try await expectServed(baseURL: baseURL, .certificateAuthority(file: ca))
                try await expectServed(baseURL: baseURL, .system, systemBundle: ca)
            }
        }
    }

    /// A node certificate signed by its own key without CA rights can be pinned, and nothing else.
    @Test func aSelfSignedLeafWithoutCARightsCanBePinned() async throws {
        try await withFolder { folder in
            let tls = try SimTLS.selfSignedLeaf(in: folder, node: "pve1")
            try await serve(tls) { baseURL in
                try await expectServed(baseURL: baseURL, .pinned(sha256: tls.fingerprint))
                let words = try await refusal(baseURL, .certificateAuthority(file: SimTLS.InstallerFiles(folder: folder).leaf))
                #expect(words.contains("is not valid") || words.contains("is not signed by"), "\(words)")
            }
        }
    }

    @Test func aWrongPinNamesBothFingerprintsAtOnce() async throws {
        try await withFolder { folder in
            let tls = try SimTLS.proxmoxInstallerLayout(in: folder, node: "pve1")
            try await serve(tls) { baseURL in
                let wrong = Array(repeating: "AB", count: 32).joined(separator: ":")
                let words = try await refusal(baseURL, .pinned(sha256: wrong))
                #expect(words.contains("does not match the pinned fingerprint \(wrong)"))
                #expect(words.contains("the server presents \(tls.fingerprint)"))
            }
        }
    }

    @Test func anotherClustersCAAndTheSystemStoreAreRefusedAtOnce() async throws {
        try await withFolder { folder in
            let tls = try SimTLS.proxmoxInstallerLayout(in: folder + "/served", node: "pve1")
            _ = try SimTLS.proxmoxInstallerLayout(in: folder + "/other", node: "pve1")
            try await serve(tls) { baseURL in
                let other = SimTLS.InstallerFiles(folder: folder + "/other").ca
                let words = try await refusal(baseURL, .certificateAuthority(file: other))
                #expect(words.contains("is not signed by the CA in proxmox.caFile (\(other))"), "\(words)")
                #expect(words.contains("Proxmox Virtual Environment"))
                let system = try await refusal(baseURL, .system)
                #expect(system.contains("is not signed by any authority this system trusts"), "\(system)")
                #expect(system.contains(tls.fingerprint), "the words offer the fingerprint to pin")
            }
        }
    }

    @Test func aHostNameTheCertificateDoesNotNameIsRefusedAtOnce() async throws {
        try await withFolder { folder in
            let tls = try SimTLS.proxmoxInstallerLayout(in: folder, node: "pve1", addresses: ["127.0.0.1"])
            try await serve(tls, host: "127.0.0.3") { baseURL in
                let words = try await refusal(baseURL, .certificateAuthority(file: SimTLS.InstallerFiles(folder: folder).ca))
                #expect(words.contains("the host name does not match"), "\(words)")
                #expect(words.contains("localhost, pve1, 127.0.0.1"), "\(words)")
                #expect(words.contains("not '127.0.0.3'"))
                // A pin names the certificate itself, whatever the name in the URL.
                try await expectServed(baseURL: baseURL, .pinned(sha256: tls.fingerprint))
            }
        }
    }

    @Test func plainHTTPToAnHTTPSServerSaysSoWithoutSourcePaths() async throws {
        try await withFolder { folder in
            let tls = try SimTLS.proxmoxInstallerLayout(in: folder, node: "pve1")
            try await serve(tls) { baseURL in
                let client = try ProxmoxClient(settings: settings(baseURL.replacingOccurrences(of: "https:", with: "http:"), .system))
                defer { Task { try? await client.shutdown() } }
                await #expect { try await client.version() } throws: { error in
                    guard case .connection(let words, sent: _) = error as? ProxmoxError else { return false }
                    return words.contains("the connection closed before the answer") && !words.contains("/work/")
                }
            }
        }
    }

    @Test func theInstallerLayoutIsMadeOnceWithPrivateKeys() async throws {
        try await withFolder { folder in
            let first = try SimTLS.proxmoxInstallerLayout(in: folder, node: "pve1")
            let again = try SimTLS.proxmoxInstallerLayout(in: folder, node: "pve1")
            #expect(first.fingerprint == again.fingerprint, "an existing layout is served as it is")
            let files = SimTLS.InstallerFiles(folder: folder)
            func mode(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1 }
            #expect(try mode(folder) == 0o700)
            #expect(try mode(files.caKey) == 0o600 && mode(files.leafKey) == 0o600)
        }
    }

    @Test func settingsThatCannotWorkAreRefusedBeforeAnyRequest() {
        #expect(throws: ProxmoxError.invalidSettings("proxmox.url must use https unless it is on this machine (the simulator)")) {
            _ = try ProxmoxClient(settings: settings("http://pve1.example.edu:8006", .system))
        }
        #expect(
            throws: ProxmoxError.invalidSettings(
                "proxmox.url must name only the server, as https://pve1.example.edu:8006, without a path: LabGate adds /api2/json itself (found '/api2/json')"
            )
        ) {
            _ = try ProxmoxClient(settings: settings("https://pve1.example.edu:8006/api2/json", .system))
        }
        #expect(throws: ProxmoxError.self) { _ = try CertificatePin("AB:CD") }
        #expect(throws: ProxmoxError.self) {
            _ = try ProxmoxClient(settings: settings("https://pve1:8006", .certificateAuthority(file: "/nonexistent/ca.pem")))
        }
    }

    // MARK: -

    private func settings(_ baseURL: String, _ trust: ProxmoxTrust) -> ProxmoxSettings {
        ProxmoxSettings(
            baseURL: baseURL, tokenID: SimTestbed.token.id, tokenSecret: SimTestbed.token.secret, trust: trust,
            connectTimeout: .seconds(10), retry: RetryPolicy(maxAttempts: 1))
    }

    private func version(_ baseURL: String, _ trust: ProxmoxTrust, systemBundle: String = "/etc/ssl/certs/ca-certificates.crt") async throws -> String {
        let client = try ProxmoxClient(settings: settings(baseURL, trust), systemBundle: systemBundle)
        do {
            let version = try await client.version()
            try await client.shutdown()
            return version
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    private func expectServed(baseURL: String, _ trust: ProxmoxTrust, systemBundle: String = "/etc/ssl/certs/ca-certificates.crt") async throws {
        let answer = try await version(baseURL, trust, systemBundle: systemBundle)
        #expect(answer == "9.1.3")
    }

    /// The words of the refusal, which must come at once, not after the 10 s connect timeout.
    /// Alone it takes a few milliseconds; 3 s leaves room for the whole suite sharing two cores.
    private func refusal(_ baseURL: String, _ trust: ProxmoxTrust) async throws -> String {
        let started = ContinuousClock.now
        do {
            _ = try await version(baseURL, trust)
            Issue.record("the certificate was accepted")
            return ""
        } catch ProxmoxError.untrustedCertificate(let words) {
            #expect(ContinuousClock.now - started < .seconds(3), "refused only after \(ContinuousClock.now - started)")
            #expect(!words.contains("/work/") && !words.contains(".cc:"), "no library source paths: \(words)")
            return words
        }
    }

    private func serve(_ tls: SimTLS, host: String = "127.0.0.1", _ body: @Sendable (String) async throws -> Void) async throws {
        let cluster = try SimCluster(configuration: SimTestbed.configuration())
        let server = PVESimServer(cluster: cluster, requestLog: try SimTestbed.requestLog())
        try await server.serving(host: host, tls: tls.configuration) { baseURL in try await body(baseURL) }
    }

    private func withFolder(_ body: (String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pve-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body(folder)
    }
}
