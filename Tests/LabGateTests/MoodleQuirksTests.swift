import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LabCore
import PlatformSim
import TestSupport
import Testing

@testable import LabGate

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

    @Test(
        "one Moodle with LabGate registered twice (dynamically and by hand) is one class: one course, one user per student, one lab",
        arguments: LTITestbed.Storage.underTest)
    func issuerRegisteredTwice(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let environment = try await bed.addEnvironment("linux-\(UUID().uuidString.prefix(6))", title: "Linux basics")
            let sim = bed.platform
            let manual = Platform(
                issuer: sim.issuer, clientID: "manual-2", authURL: sim.authURL, tokenURL: sim.tokenURL, jwksURL: sim.jwksURL, createdAt: Date())
            try await bed.repositories.platforms.insert(manual)
            try await bed.repositories.platforms.addDeployment("deployment-2", to: manual.id)

            var dynamic = LaunchScenario(subject: "student-9", custom: ["environment": environment.name])
            var byHand = dynamic
            byHand.registration = (clientID: "manual-2", deploymentID: "deployment-2")
            let first = try await bed.launch(dynamic)
            #expect(first.status == 303)
            #expect(first.header("location")?.hasPrefix("/labs/") == true)
            let second = try await bed.launch(byHand)
            #expect(second.header("location") == first.header("location"), "the second registration's launch opens the same lab")
            // The same person in another course of the same Moodle is still the same user, with the same lab of that environment.
            dynamic.contextID = "course-202"
            #expect(try await bed.launch(dynamic).header("location") == first.header("location"))

            let registered = try await bed.repositories.platforms.list().filter { $0.issuer == sim.issuer }
            #expect(registered.count == 2)
            var users: Set<UserID> = []
            for platform in registered {
                users.insert(try await bed.repositories.users.upsert(User(platformID: platform.id, subject: "student-9")).id)
            }
            #expect(users.count == 1)
            let courses = try await bed.repositories.courses.page(after: nil, limit: 10_000)
            let ids = Set(registered.map(\.id))
            #expect(courses.filter { ids.contains($0.platformID) && $0.contextID == "course-101" }.count == 1)
            #expect(try await bed.repositories.instances.list(userID: try #require(users.first)).count == 1)
        }
    }
}
