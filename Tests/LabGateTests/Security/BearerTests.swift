import Foundation
import LabCore
import TestSupport
import Testing

@testable import LabGate

@Suite("Bearer credentials")
struct BearerTests {
    @Test("the Authorization scheme is case-insensitive; /metrics needs a token; API answers are never stored")
    func schemeAndMetrics() async throws {
        try await LTITestbed.run { (bed) async throws in
            let token = try await APITokens(repository: bed.repositories.apiTokens).create(name: "cases", scope: .read, lifetime: nil, now: Date())
            for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
                let answer = try await AdminAPITests.call("GET", bed.toolURL + "/api/v1/platforms", token: token.bearer, scheme: scheme)
                #expect(answer.status == 200, "\(scheme)")
                #expect(answer.headers.contains { $0.0.lowercased() == "cache-control" && $0.1 == "no-store" })
            }
            for scheme in ["Basic", "Bearer:", "Token"] {
                #expect(try await AdminAPITests.call("GET", bed.toolURL + "/api/v1/platforms", token: token.bearer, scheme: scheme).status == 401)
            }
            #expect(try await AdminAPITests.call("GET", bed.toolURL + "/metrics", token: nil).status == 401)
            #expect(try await AdminAPITests.call("GET", bed.toolURL + "/metrics", token: "lgt_forged_x").status == 401)
            let metrics = try await AdminAPITests.call("GET", bed.toolURL + "/metrics", token: token.bearer, scheme: "bearer")
            #expect(metrics.status == 200 && metrics.text.contains("# TYPE"))
        }
    }
}
