import Foundation
import LabCore
import TestSupport
import Testing

@testable import Storage

@Suite("MariaDB over TLS", .enabled(if: TestServers.shouldTest(TestServers.mariaDBPort)))
struct MariaDBTLSTests {
    @Test("with database.tls, statements run over TLS that the server itself reports, checked against the test authority; without, in the clear")
    func encrypted() async throws {
        #expect(try await sslVersion(tls: ServerTLS(caFile: try authority())).hasPrefix("TLSv1."))
        #expect(try await sslVersion(tls: nil) == "")
    }

    @Test("a host given by name is accepted when the certificate carries the name (or the address connected to)")
    func byName() async throws {
        #expect(try await sslVersion(tls: ServerTLS(caFile: try authority()), host: "localhost").hasPrefix("TLSv1."))
    }

    @Test(
        "a certificate from the trusted authority for another server is refused, by address and by name",
        .enabled(if: PrivateServer.available))
    func anotherServersCertificate() async throws {
        let server = try await PrivateServer.start("mariadb", environment: ["LABGATE_TEST_CERT_NAMES": "DNS:db.example.invalid"])
        defer { Task { try? await server.stop() } }
        for host in ["127.0.0.1", "localhost"] {
            var settings = try TestServers.mariaDB(port: server.port, password: server.password)
            settings.host = host
            settings.tls = ServerTLS(caFile: server.folder.appendingPathComponent("tls/ca.pem").path)
            await #expect {
                _ = try await MariaDBConnection.connect(settings)
            } throws: { error in
                guard case .unavailable(_, let reason) = error as? StoreError else { return false }
                // The chain is good: the name is what fails.
                return reason.contains("TLS with \(host):") && reason.contains("failedToValidateHostname") && !reason.contains("CERTIFICATE_VERIFY_FAILED")
            }
        }
    }

    @Test("a certificate that no authority the client trusts signed is refused, with the reason and without the password")
    func untrustedCertificate() async throws {
        var settings = try TestServers.mariaDB()
        // The system's authorities, which never signed the test server's certificate.
        settings.tls = ServerTLS(caFile: nil)
        await #expect {
            _ = try await MariaDBConnection.connect(settings)
        } throws: { error in
            guard case .unavailable(_, let reason) = error as? StoreError else { return false }
            return reason.contains("TLS with 127.0.0.1:\(settings.port) failed") && reason.contains("an authority this system trusts")
                && !reason.contains(settings.password)
        }
    }

    @Test("an authorities file that cannot be read is named")
    func missingAuthorities() async throws {
        var settings = try TestServers.mariaDB()
        settings.tls = ServerTLS(caFile: "/nonexistent/labgate-ca.pem")
        await #expect {
            _ = try await MariaDBConnection.connect(settings)
        } throws: { error in
            "\(error)".contains("/nonexistent/labgate-ca.pem cannot be read")
        }
    }

    private func authority() throws -> String {
        try #require(TestServers.authority, "run the tests through scripts/test.sh, which gives the test MariaDB a certificate")
    }

    /// The TLS version the server says this connection speaks; empty in the clear.
    private func sslVersion(tls: ServerTLS?, host: String = "127.0.0.1") async throws -> String {
        var settings = try TestServers.mariaDB()
        settings.tls = tls
        settings.host = host
        let database = MariaDBDatabase(settings: settings)
        do {
            let rows = try await database.query(
                "SELECT VARIABLE_VALUE AS v FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_VERSION'")
            await database.shutdown()
            return try #require(rows.first).string("v")
        } catch {
            await database.shutdown()
            throw error
        }
    }
}
