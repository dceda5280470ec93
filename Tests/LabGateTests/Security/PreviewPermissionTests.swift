import Foundation
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

@Suite("The desktop preview applies Guacamole's READ permission")
struct PreviewPermissionTests {
    /// The preview address a fresh single-use link of this student's ready lab leads to.
    static func previewLocation(_ subject: String, environment: String, bed: LTITestbed, browser: SimBrowser) async throws -> String {
        let scenario = LaunchScenario(subject: subject, resourceLinkID: "link-\(environment)", custom: ["environment": environment])
        let waitingPath = try #require(try await bed.launch(scenario, in: browser).header("location"))
        let ready = try #require(try await browser.events(bed.toolURL + waitingPath + "/events").last)
        let link = try #require(try JSONDecoder().decode([String: String].self, from: Data(ready.data.utf8))["link"])
        return try #require(try await browser.get(link).header("location"))
    }

    static func replacingConnection(_ location: String, with id: String) throws -> String {
        var components = try #require(URLComponents(string: location))
        components.queryItems = components.queryItems?.map { $0.name == "connection" ? URLQueryItem(name: "connection", value: id) : $0 }
        return try #require(components.string)
    }

    @Test("another student's connection id answers exactly as an unknown one (404), and the login is not spent by trying")
    func otherStudentsConnection() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("pv-\(UUID().uuidString.prefix(6))", title: "Desk")
            let victim = try await Self.previewLocation("victim", environment: environment.name, bed: bed, browser: bed.browser)
            let victimConnection = try #require(URLComponents(string: victim)?.queryItems?.first { $0.name == "connection" }?.value)
            try await bed.withOtherBrowser { (curious) async throws in
                let own = try await Self.previewLocation("curious", environment: environment.name, bed: bed, browser: curious)
                let foreign = try await curious.get(try Self.replacingConnection(own, with: victimConnection))
                let unknown = try await curious.get(try Self.replacingConnection(own, with: "987654321"))
                #expect(foreign.status == 404)
                #expect(unknown.status == 404)
                #expect(foreign.body.replacing(/reference [^<]*/, with: "") == unknown.body.replacing(/reference [^<]*/, with: ""))
                #expect(!foreign.body.contains("victim") && !foreign.body.contains("labgate/"))
                // Its own connection still opens: the refused tries did not spend the single-use login.
                let preview = try await curious.get(own)
                #expect(preview.status == 200)
                #expect(preview.body.contains("labgate/"))
            }
        }
    }
}
