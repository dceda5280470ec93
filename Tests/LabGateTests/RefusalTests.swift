import Foundation
import GuacBridge
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LTIGateway
import LabCore
import Provisioning
import Testing
import WebSupport

@testable import LabGate

/// Refusals are mapped once: each module's typed error becomes one `Refusal`, which a
/// browser gets as a page and a script or API client as JSON, in the same words. (A store
/// that is only busy is a page that retries by itself: `BusyRetryTests`.)
@Suite("Refusals")
struct RefusalTests {
    static let errors: [(String, any Error & Sendable)] = [
        ("lab-stale", LabPageError.staleForm), ("course-stale", CoursePageError.staleForm),
        ("lab-session", LabPageError.sessionRequired), ("course-session", CoursePageError.sessionRequired), ("lti-session", LTIError.sessionRequired),
        ("not-allowed", ProvisioningError.notAllowed(operation: "stop", state: "deleted")), ("link", GuacBridgeError.linkUsedOrExpired),
        ("admin", AdminError.notFound("user u-1")), ("quota", LaunchRefusal.quota(.eachStudent, limit: "2 labs at once")),
        ("duplicate", StoreError.duplicate("token name t")),
    ]

    @Test("a page for a browser and JSON for a script, with one status and one wording; a stale form or a lost session is worded once wherever it happens")
    func wordedOnce() async throws {
        let router = Router()
        router.addMiddleware { ErrorMappingMiddleware() }
        for (name, error) in Self.errors {
            router.get("/x/\(name)") { _, _ -> String in throw error }
        }
        var words: [String: String] = [:]
        for (name, error) in Self.errors {
            let refusal: WebSupport.Refusal? = .init(error)
            #expect(refusal != nil, "\(name) maps to a refusal")
            words[name] = refusal?.message
        }
        try await Application(router: router).test(.router) { client in
            for (name, error) in Self.errors {
                let mapped: WebSupport.Refusal? = .init(error)
                let refusal = try #require(mapped)
                try await client.execute(uri: "/x/\(name)", method: .get, headers: [.accept: "text/html"]) { response in
                    #expect(response.status == refusal.status, "\(name)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    #expect(String(buffer: response.body).contains(HTMLPage.escape(refusal.message)), "\(name)")
                    #expect(!String(buffer: response.body).contains("token name"), "the cause stays in the log")
                }
                try await client.execute(uri: "/x/\(name)", method: .get, headers: [.accept: "application/json"]) { response in
                    #expect(response.status == refusal.status, "\(name)")
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect(json?["message"] as? String == refusal.message, "\(name)")
                    #expect(json?["error"] as? String == refusal.code, "\(name)")
                }
            }
        }
        #expect(words["lab-stale"] == words["course-stale"])
        #expect(Set(["lab-session", "course-session", "lti-session"].compactMap { words[$0] }).count == 1)
    }
}
