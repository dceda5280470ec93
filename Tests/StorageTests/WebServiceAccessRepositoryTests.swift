import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Web-service access")
struct WebServiceAccessRepositoryTests {
    @Test("one site and sealed token per platform: saved, replaced, listed, removed, and gone with its platform", arguments: RelationalEngine.underTest)
    func access(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let store = repositories.webServices
            #expect(try await store.find(platformID: seed.platform.id) == nil)
            let first = WebServiceAccess(platformID: seed.platform.id, siteURL: "https://moodle.example.edu", sealedToken: "sealed-1", updatedAt: t0)
            try await store.save(first)
            #expect(try await store.find(platformID: seed.platform.id) == first)
            let second = WebServiceAccess(platformID: seed.platform.id, siteURL: "https://moodle2.example.edu", sealedToken: "sealed-2", updatedAt: t0 + 5)
            try await store.save(second)
            #expect(try await store.list().filter { $0.platformID == seed.platform.id } == [second])
            #expect(try await store.remove(platformID: seed.platform.id))
            #expect(try await store.remove(platformID: seed.platform.id) == false)
            try await store.save(first)
            _ = try await repositories.platforms.remove(id: seed.platform.id)
            #expect(try await store.find(platformID: seed.platform.id) == nil)
        }
    }
}
