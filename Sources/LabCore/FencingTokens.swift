/// Fencing tokens for a lock held in the ephemeral store: each new holder of the lock draws a
/// token larger than any drawn before, and checks before each act that no later holder has
/// drawn one since. A holder that stalled past its lock's expiry (a long pause, a lost
/// network) then stops instead of acting beside its successor. The tokens live in the
/// database, so a Redis failover that loses the lock's last writes cannot hand out a token twice.
public protocol FencingTokens: Sendable {
    /// Draws the next token for the lock `name`: larger than every token drawn for it before.
    func draw(for name: String) async throws -> Int64
    /// The latest token drawn for `name`; nil if none was ever drawn.
    func latest(for name: String) async throws -> Int64?
}
