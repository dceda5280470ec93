import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Fencing tokens")
struct FencingTokensTests {
    @Test("drawers at once each get their own token, and the latest is the largest", arguments: RelationalEngine.underTest)
    func drawsAreDistinctAndIncreasing(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let fences = repositories.fencingTokens
            #expect(try await fences.latest(for: "reconciler") == nil)
            let tokens = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<30 { group.addTask { try await fences.draw(for: "reconciler") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(tokens.sorted() == Array(1...30))
            #expect(try await fences.latest(for: "reconciler") == 30)
            #expect(try await fences.draw(for: "another lock") == 1, "each lock counts on its own")
            #expect(try await fences.draw(for: "reconciler") == 31)
        }
    }
}
