import Foundation
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

@Suite("Deep Linking return URLs from a hostile platform")
struct HostileReturnURLTests {
    @Test("a return URL that is not https (or http to loopback) refuses the launch with 400 and words, in every spelling")
    func hostileReturnURLsRefused() async throws {
        try await LTITestbed.run { (bed) async throws in
            _ = try await bed.addEnvironment("dl-\(UUID().uuidString.prefix(6))", title: "Linux")
            for returnURL in [
                "javascript:alert(document.domain)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                "data:text/html,<script>alert(1)</script>", "DATA:text/html,x", "http://moodle.example.edu/return",
                "//evil.example/return", "vbscript:x",
            ] {
                var request = LaunchScenario.teacher()
                request.messageType = "LtiDeepLinkingRequest"
                request.deepLinkReturnURL = returnURL
                let page = try await bed.launch(request)
                #expect(page.status == 400, "\(returnURL.debugDescription)")
                #expect(page.body.contains("return address LabGate will not send your browser to"), "\(returnURL.debugDescription)")
                #expect(!page.body.lowercased().contains("script:alert"), "\(returnURL.debugDescription)")
                #expect(page.form == nil, "\(returnURL.debugDescription)")
            }
            // A return URL on another host than the issuer's (as Canvas sends) is fine.
            var request = LaunchScenario.teacher()
            request.messageType = "LtiDeepLinkingRequest"
            request.deepLinkReturnURL = "https://canvas.example.edu/courses/1/deep_linking_response"
            #expect(try await bed.launch(request).status == 200)
        }
    }
}
