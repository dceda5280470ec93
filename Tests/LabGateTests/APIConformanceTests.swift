import Foundation
import LabCore
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

/// schemathesis (PyPI) against a served LabGate with an admin token: it reads the document
/// the server serves, generates requests for every operation (examples, edge cases, fuzzing,
/// chains of calls that feed each other's ids), and checks every answer against it.
@Suite("Admin API against its OpenAPI document")
struct APIConformanceTests {
    static let executable = TestServers.environment["LABGATE_SCHEMATHESIS"]

    /// Every check schemathesis has: no 5xx; status, content type, headers and body as
    /// documented; what the document refuses is refused, and what it allows is accepted;
    /// a method a path does not take is 405; an unauthenticated call is refused.
    static let checks = ["all"]
    /// What no schema can say (Tests/schemathesis.toml).
    static let configFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemathesis.toml").path

    @Test("schemathesis with --checks all finds nothing the document and the server disagree on", .enabled(if: executable != nil || TestServers.isCI))
    func schemathesis() async throws {
        let executable = try #require(Self.executable, "LABGATE_SCHEMATHESIS is not set: run the tests through scripts/test.sh, which installs schemathesis")
        try await LTITestbed.run { (bed) async throws in
            // Something behind every kind of id: a platform, course, activity, user and lab, a quota.
            let (tokens, instance) = try await AdminAPITests.prepare(bed)
            let course = try #require(try await bed.repositories.instances.find(id: instance)?.courseID)
            try await bed.repositories.quotas.save(Quota(scope: .course(course), instances: 100))
            let operations = AdminAPITests.routes(bed).map(\.operationID).filter { $0 != "getDocument" }
            // Revoking runs last, on its own: the chains of calls would otherwise find and revoke the token they run with.
            for (filter, count) in [("--exclude-operation-id", operations.count - 1), ("--include-operation-id", 1)] {
                let result = try await ChildProcess.run(
                    executable,
                    [
                        "--config-file", Self.configFile, "run", bed.toolURL + "/api/v1/openapi.yaml", "--header", "Authorization: Bearer \(tokens[.admin]!)",
                        filter, "revokeToken", "--exclude-operation-id", "getDocument",
                        "--checks", Self.checks.joined(separator: ","), "--max-examples", "40", "--seed", "20261122", "--workers", "1",
                        "--request-timeout", "10", "--max-failures", "20",
                    ], environment: ["NO_COLOR": "1"])
                let summary = result.output.split(separator: "\n").filter { $0.contains(" generated, ") }
                print("schemathesis \(filter) revokeToken: \(summary.joined(separator: " | "))")
                #expect(result.status == 0, "schemathesis found problems:\n\(result.output.suffix(60000))\n\(result.error.suffix(2000))")
                #expect(result.output.contains("Tested: \(count)"), "every operation was tested:\n\(result.output.suffix(3000))")
            }
        }
    }
}
