import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("API tokens and instance pages")
struct APITokenRepositoryTests {
    @Test("tokens are stored with their hash only, unique by name, listed oldest first, and revoked once", arguments: RelationalEngine.underTest)
    func tokens(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let tokens = repositories.apiTokens
            let ci = APIToken(name: "ci", scope: .read, secretHash: String(repeating: "a", count: 64), createdAt: t0, expiresAt: t0 + 86_400)
            let ops = APIToken(name: "ops", scope: .admin, secretHash: String(repeating: "b", count: 64), createdAt: t0 + 1)
            try await tokens.insert(ops)
            try await tokens.insert(ci)
            await #expect(throws: StoreError.self) {
                try await tokens.insert(APIToken(name: "ci", scope: .write, secretHash: String(repeating: "c", count: 64), createdAt: t0))
            }
            #expect(try await tokens.list() == [ci, ops])
            #expect(try await tokens.find(id: ci.id) == ci)
            #expect(try await tokens.find(id: APITokenID("nope")) == nil)

            #expect(try await tokens.revoke(name: "ci", at: t0 + 10))
            #expect(try await tokens.revoke(name: "ci", at: t0 + 20) == false)
            #expect(try await tokens.revoke(name: "nobody", at: t0) == false)
            let revoked = try #require(try await tokens.find(id: ci.id))
            #expect(revoked.revokedAt == t0 + 10)
            #expect(revoked.isValid(at: t0 + 9) && !revoked.isValid(at: t0 + 10))
            #expect(ops.isValid(at: t0 + 1e9))
            #expect(!ci.isValid(at: t0 + 86_400))
        }
    }

    @Test("instances page by id, filtered by state, each page starting after the last one's cursor", arguments: RelationalEngine.underTest)
    func instancePages(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            var made: [LabInstance] = []
            for number in 0..<5 {
                let user = try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "pager-\(number)"))
                made.append(
                    try await repositories.instances.findOrCreate(
                        LabInstance(userID: user.id, environmentID: seed.environment.id, createdAt: t0)
                    ).instance)
            }
            let ids = made.map(\.id.rawValue).sorted()
            let first = try await repositories.instances.page(states: [.requested], after: nil, limit: 2)
            #expect(first.map(\.id.rawValue) == Array(ids[0..<2]))
            let second = try await repositories.instances.page(states: [.requested], after: first.last?.id, limit: 2)
            #expect(second.map(\.id.rawValue) == Array(ids[2..<4]))
            let last = try await repositories.instances.page(states: [.requested], after: second.last?.id, limit: 2)
            #expect(last.map(\.id.rawValue) == [ids[4]])
            #expect(try await repositories.instances.page(states: [.ready], after: nil, limit: 10).isEmpty)
        }
    }
}
