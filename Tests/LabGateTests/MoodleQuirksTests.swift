import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import LabGate
import TestSupport
import Testing

/// What a real Moodle does that the specifications do not say.
@Suite("What Moodle does")
struct MoodleQuirksTests {
    @Test("Moodle's server GETs the launch URL whenever a tool or an activity is saved (a cartridge check): an ordinary page, not a 404")
    func cartridgeCheck() async throws {
        let app = try await buildApplication(config: try TestConfig.embedded())
        try await app.test(.router) { client in
            try await client.execute(uri: "/lti/launch", method: .get, headers: [.userAgent: "MoodleBot/1.0"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                // Not XML: Moodle reads it as "not a cartridge" and keeps the URL as the launch URL.
                #expect(!String(buffer: response.body).hasPrefix("<?xml"))
            }
        }
    }
}
