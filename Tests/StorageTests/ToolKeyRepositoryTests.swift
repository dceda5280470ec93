import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Tool keys")
struct ToolKeyRepositoryTests {
    @Test("keys are listed oldest first, retired, and purged once their retirement has passed", arguments: RelationalEngine.underTest)
    func lifecycle(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let keys = repositories.toolKeys
            let old = ToolKey(kid: "k1", sealedPrivateKey: "sealed-1", createdAt: t0, activatesAt: t0)
            let new = ToolKey(kid: "k2", sealedPrivateKey: "sealed-2", createdAt: t0 + 60, activatesAt: t0 + 600)
            try await keys.insert(new)
            try await keys.insert(old)
            await #expect(throws: StoreError.self) { try await keys.insert(old) }
            #expect(try await keys.list() == [old, new])

            #expect(try await keys.retire(kid: "k1", at: t0 + 1200))
            #expect(try await keys.retire(kid: "nope", at: t0) == false)
            let listed = try await keys.list()
            #expect(listed.first?.retiresAt == t0 + 1200)
            #expect(listed.first?.isPublished(at: t0 + 1199) == true)
            #expect(listed.first?.isPublished(at: t0 + 1200) == false)

            #expect(try await keys.purge(retiredBefore: t0 + 1000) == 0)
            #expect(try await keys.purge(retiredBefore: t0 + 1201) == 1)
            #expect(try await keys.list().map(\.kid) == ["k2"])
        }
    }
}
