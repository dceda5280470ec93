import Foundation
import PlatformSim
import Testing

@testable import LabGate
@testable import LabGateCLI

@Suite("labgate demo")
struct DemoTests {
    @Test("--once walks one student from the course's launch to the desktop preview on a fresh folder, and removes it")
    func once() async throws {
        let demo = try Demo(host: "127.0.0.1", port: try freeLoopbackPort(), platformPort: try freeLoopbackPort(), quiet: true)
        try await demo.run { toolURL, platform in
            #expect(toolURL == demo.config.lti.publicURL)
            try await DemoWalkthrough(toolURL: toolURL, platform: platform).run()
            // The course page a person opens offers the activity to launch.
            let browser = SimBrowser()
            let course = try await browser.get(platform.issuer + "/")
            await browser.shutdown()
            #expect(course.status == 200 && course.body.contains("Launch as student") && course.body.contains("Launch as teacher"))
        }
        #expect(!FileManager.default.fileExists(atPath: demo.folder.path))
    }

}
