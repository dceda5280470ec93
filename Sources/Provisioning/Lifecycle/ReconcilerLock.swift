import LabCore
import Logging

/// The reconciler's lock: a key in the ephemeral store that expires unless its holder renews it
/// on each pass, fenced by a token drawn from the database when a holder wins it. The value is
/// `<holder> <token>`, so a holder renews only what it still holds, in one atomic step.
struct ReconcilerLock: Sendable {
    static let key = "reconciler-lock"
    static let fence = "reconciler"

    let store: any EphemeralStore
    let fences: any FencingTokens
    let ttl: Duration
    let logger: Logger

    /// This process's term as the one reconciler, if `holder` gets or keeps the lock; nil while another holds it.
    func lead(as holder: String) async throws -> LeaderTerm? {
        guard let value = try await store.get(Self.key) else {
            guard try await store.setIfAbsent(Self.key, to: holder, ttl: ttl) else { return nil }
            return try await drawToken(holder, claim: holder)
        }
        let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.first == holder else { return nil }
        guard parts.count == 2, let token = Int64(parts[1]) else {
            // Won on an earlier pass whose draw failed (the database did not answer): draw now.
            return try await drawToken(holder, claim: value)
        }
        guard try await store.replace(Self.key, ifHolding: value, with: value, ttl: ttl) else { return nil }
        // This holder's two passes (reconciler and preparer) can win the key together and both
        // draw; the later draw's claim lost, so the key keeps the earlier token. The key is still
        // this holder's, so nobody else acts under a later token: draw one that is current.
        guard try await fences.latest(for: Self.fence) == token else { return try await drawToken(holder, claim: value) }
        return LeaderTerm(token: token, fences: fences)
    }

    private func drawToken(_ holder: String, claim: String) async throws -> LeaderTerm? {
        let token = try await fences.draw(for: Self.fence)
        guard try await store.replace(Self.key, ifHolding: claim, with: "\(holder) \(token)", ttl: ttl) else { return nil }
        logger.notice("this process holds the reconciler's lock now", metadata: ["holder": .string(holder), "token": .stringConvertible(token)])
        return LeaderTerm(token: token, fences: fences)
    }
}

/// One holder's term as the reconciler: its fencing token, checked before each act so that a
/// holder that stalled past the lock's expiry stops as soon as a successor has drawn a token.
/// What the check cannot stop is the one act already begun when the successor drew.
public struct LeaderTerm: Sendable {
    public let token: Int64
    let fences: any FencingTokens

    /// Whether no later holder has drawn a token since this term began.
    func isCurrent() async throws -> Bool {
        try await fences.latest(for: ReconcilerLock.fence) == token
    }
}
