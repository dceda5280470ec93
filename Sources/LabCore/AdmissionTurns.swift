import Foundation

/// Admissions under the same quota take turns before they pass its gate (`AdmissionGates`),
/// so that a class clicking at once waits here, not holding database connections at the
/// gate. A turn is a key in the ephemeral store, shared by every process on Redis; it expires
/// by itself if its holder dies. The quota does not rest on it: a turn lost with Redis, or
/// outlived by a stalled holder, lets two admissions to the gate, which still passes them one
/// after another.
struct AdmissionTurns: Sendable {
    let store: any EphemeralStore
    /// This process's launches in line for each turn: only the first of them polls the store.
    var line = TurnLine()
    /// Far longer than the few milliseconds a turn takes (a count and an insert), even on a
    /// database slowed by a rush, and under `patience`: the turn of a process that died is
    /// taken over while the others still wait.
    var ttl: Duration = .seconds(10)
    /// How long a launch waits for its turn before it is asked to try again: a little longer
    /// than a turn lives, and well inside the 30 s a proxy or browser waits for an answer.
    var patience: Duration = .seconds(12)

    /// Runs `body` holding every key, taken in one order (so two launches never wait on each
    /// other). While waiting, once a holder has said a quota is full (`markFull`), `settle` is
    /// asked now and then whether the outcome is already known; its answer ends the wait.
    /// The wait ends at `patience`, or earlier at `giveUpAt`.
    func taking<T>(
        _ keys: [String], giveUpAt: ContinuousClock.Instant? = nil, settle: () async throws -> T?, _ body: () async throws -> T
    ) async throws -> T {
        let holder = UUID().uuidString
        let now = ContinuousClock.now
        let deadline = giveUpAt.map { min(now + patience, $0) } ?? now + patience
        var held: [String] = []
        let outcome: Result<T, any Error>
        do {
            outcome = .success(
                try await {
                    for key in Set(keys).sorted() {
                        if let settled = try await take(key, as: holder, until: deadline, settle: settle) { return settled }
                        held.append(key)
                    }
                    return try await body()
                }())
        } catch {
            outcome = .failure(error)
        }
        await release(held, of: holder)
        return try outcome.get()
    }

    /// Tells those waiting for `keys` that a quota behind them is full, so they can hear so
    /// at once instead of each waiting for a turn only to be refused in it.
    func markFull(_ keys: [String]) async {
        for key in keys { try? await store.set(key + Self.fullSuffix, to: "1", ttl: Self.fullHint) }
    }

    private static let fullSuffix = ":full"
    /// How long a "full" hint lives: it only prompts a real check, so a stale one costs a query, not a wrong refusal.
    private static let fullHint = Duration.seconds(5)
    private static let settleInterval = Duration.milliseconds(100)

    /// Takes `key`'s turn, first in this process's line and then in the store; or returns
    /// what `settle` found out meanwhile.
    private func take<T>(_ key: String, as holder: String, until deadline: ContinuousClock.Instant, settle: () async throws -> T?) async throws -> T? {
        let clock = ContinuousClock()
        var nextSettle = clock.now + Self.settleInterval
        guard await line.enter(key, until: deadline) else { throw StoreError.retryable("the turn of \(key) did not come in time") }
        do {
            var pause = Duration.milliseconds(1)
            while true {
                // Asked first by a launch that waited in line: the quota may have filled meanwhile.
                if clock.now >= nextSettle {
                    nextSettle = clock.now + Self.settleInterval
                    if try await store.get(key + Self.fullSuffix) != nil, let settled = try await settle() {
                        line.leave(key)
                        return settled
                    }
                }
                if try await store.setIfAbsent(key, to: holder, ttl: ttl) { return nil }
                guard clock.now < deadline else { throw StoreError.retryable("the turn of \(key) did not come in time") }
                try await Task.sleep(for: pause + .microseconds(Int.random(in: 0...1_000)))
                pause = min(pause * 2, .milliseconds(20))
            }
        } catch {
            line.leave(key)
            throw error
        }
    }

    /// Gives the keys back, then their places in line; one whose turn expired meanwhile (and
    /// may be someone else's now) is left alone in the store.
    private func release(_ keys: [String], of holder: String) async {
        for key in keys {
            if (try? await store.get(key)) == holder { _ = try? await store.delete(key) }
            line.leave(key)
        }
    }
}
