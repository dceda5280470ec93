import Foundation
import LabCore
import TestSupport
import Testing

@testable import LabGate

@Suite("The API says what it enforces")
struct APIStrictnessTests {
    @Test("unknown fields and nulls get 422 naming the field and store nothing; an empty quota is refused; 405 with Allow; unknown routes in the API's shape")
    func strictBodies() async throws {
        try await LTITestbed.run { (bed) async throws in
            let bearer = try await APITokens(repository: bed.repositories.apiTokens).create(name: "strict", scope: .admin, lifetime: nil, now: Date()).bearer
            let api = bed.toolURL + "/api/v1"
            for (body, field) in [
                (#"{"memoryMb": 4096}"#, "memoryMb"), (#"{"instances": 3, "cpu": 2}"#, "cpu"), (#"{"memoryMiB": null}"#, "memoryMiB"),
                ("{}", "instances"),
            ] {
                let answer = try await AdminAPITests.call("PUT", api + "/quotas/global", token: bearer, body: body)
                #expect(answer.status == 422, "\(body)")
                let json = answer.json as? [String: Any]
                #expect((json?["details"] as? [String: String])?["field"] == field, "\(body): \(answer.text)")
            }
            #expect(try await bed.repositories.quotas.list().isEmpty)
            let token = try await AdminAPITests.call("POST", api + "/tokens", token: bearer, body: #"{"name": "x", "scope": "read", "admin": true}"#)
            #expect(token.status == 422)
            let nested = try await AdminAPITests.call(
                "PUT", api + "/environments/typo", token: bearer, body: #"{"name": "typo", "vms": [{"template": 9000, "memoryMb": 4096}]}"#)
            #expect(nested.status == 422)
            #expect((nested.json as? [String: Any]).flatMap { $0["details"] as? [String: String] }?["field"] == "vms[0].memoryMb")
            #expect(try await AdminAPITests.call("PUT", api + "/quotas/global", token: bearer, body: #"{"instances": 3}"#).status == 200)

            let wrongMethod = try await AdminAPITests.call("PATCH", api + "/quotas/global", token: bearer)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers.first { $0.0.lowercased() == "allow" }?.1 == "DELETE, PUT")
            #expect((wrongMethod.json as? [String: Any])?["error"] as? String == "method_not_allowed")
            let unknown = try await AdminAPITests.call("GET", api + "/no-such-thing", token: bearer)
            #expect(unknown.status == 404)
            #expect((unknown.json as? [String: Any])?["error"] as? String == "not_found")
            #expect(!unknown.text.contains("Moodle"))
            let large = try await AdminAPITests.call(
                "POST", api + "/tokens", token: bearer, body: "{\"name\": \"" + String(repeating: "a", count: 20_000) + "\"}")
            #expect(large.status == 413)
            #expect((large.json as? [String: Any])?["error"] as? String == "too_large")
        }
    }
}
