import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Log lines and refusal pages anyone can reach")
struct ForgedLogLineTests {
    static let forged = "\n2026-12-03T09:00:00+0000 critical labgate: user=admin [LabGate] forged"

    @Test("a line break from a query starts no log line; the register page says only 'could not be reached'; registrations are rate-limited")
    func noForgedLines() async throws {
        let folder = try StartupSafetyTests.scratchFolder()
        let (server, url, ready) = try await CommandLineTests.serving(in: folder)
        #expect(ready, "serve did not become ready: \(server.errorOutput)")
        let encoded = Self.forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let register = try await CommandLineTests.get(url, path: "/lti/register?openid_configuration=https%3A%2F%2Froot%3Apw%40127.0.0.1%3A1%2F" + encoded)
        #expect(register.status == 502)
        #expect(register.body.contains("the platform could not be reached"))
        for oracle in ["failedToValidateHostname", "special-purpose", "127.0.0.1", "resolves"] { #expect(!register.body.contains(oracle), "\(oracle)") }
        _ = try await CommandLineTests.get(url, path: "/lti/login?iss=" + encoded + "&login_hint=x&target_link_uri=x")
        var limited = 0
        for _ in 0..<12 {
            if try await CommandLineTests.get(url, path: "/lti/register?openid_configuration=https%3A%2F%2F10.0.0.1%2F").status == 429 { limited += 1 }
        }
        #expect(limited == 3, "10 an hour from one address, after the first one above")
        server.signal(SIGTERM)
        _ = await server.exitStatus()
        let log = server.errorOutput
        #expect(log.contains("could not be reached"))
        #expect(!log.contains("pw@"), "user-info of a registration URL is not logged")
        for line in log.split(separator: "\n") {
            #expect(!line.hasPrefix("2026-12-03T09:00:00"), "forged line: \(line)")
        }
        #expect(log.contains(#"\n2026-12-03T09:00:00+0000 critical labgate: user=admin"#))
    }
}
