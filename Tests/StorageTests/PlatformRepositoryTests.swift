import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Platform repository")
struct PlatformRepositoryTests {
    @Test("a platform is found by issuer and client id, not by issuer alone", arguments: RelationalEngine.underTest)
    func lookupByIssuerAndClient(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let first = Platform(
                issuer: "https://lms.example", clientID: "a", authURL: "https://lms.example/auth",
                tokenURL: "https://lms.example/token", jwksURL: "https://lms.example/jwks", createdAt: t0)
            var second = first
            second.id = .random()
            second.clientID = "b"
            second.status = .pending
            try await repositories.platforms.insert(first)
            try await repositories.platforms.insert(second)

            #expect(try await repositories.platforms.find(issuer: "https://lms.example", clientID: "a") == first)
            #expect(try await repositories.platforms.find(issuer: "https://lms.example", clientID: "b") == second)
            #expect(try await repositories.platforms.find(issuer: "https://lms.example", clientID: "c") == nil)
            #expect(try await repositories.platforms.list().count == 2)
        }
    }

    @Test("registering the same issuer and client id twice is refused as a duplicate", arguments: RelationalEngine.underTest)
    func duplicateIsRefused(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            var copy = seed.platform
            copy.id = .random()
            await #expect(throws: StoreError.self) { try await repositories.platforms.insert(copy) }
            do {
                try await repositories.platforms.insert(copy)
            } catch let error as StoreError {
                guard case .duplicate = error else {
                    Issue.record("expected duplicate, got \(error)")
                    return
                }
            }
        }
    }

    @Test("deployments are idempotent and go away with their platform", arguments: RelationalEngine.underTest)
    func deployments(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            try await repositories.platforms.addDeployment("dep-2", to: seed.platform.id)
            try await repositories.platforms.addDeployment("dep-1", to: seed.platform.id)
            try await repositories.platforms.addDeployment("dep-1", to: seed.platform.id)
            #expect(try await repositories.platforms.deployments(of: seed.platform.id) == ["dep-1", "dep-2"])

            var approved = seed.platform
            approved.status = .pending
            #expect(try await repositories.platforms.update(approved))
            #expect(try await repositories.platforms.find(id: seed.platform.id)?.status == .pending)

            #expect(try await repositories.platforms.remove(id: seed.platform.id))
            #expect(try await repositories.platforms.remove(id: seed.platform.id) == false)
            #expect(try await repositories.platforms.deployments(of: seed.platform.id) == [])
        }
    }

    @Test("a deployment for an unknown platform is a conflict, not a crash", arguments: RelationalEngine.underTest)
    func deploymentOfUnknownPlatform(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            await #expect(throws: StoreError.self) {
                try await repositories.platforms.addDeployment("d", to: PlatformID("nope"))
            }
        }
    }
}
