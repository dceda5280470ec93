import Foundation
import LabCore

/// The live launch sessions, in the ephemeral store: a cookie counts only while its session
/// is listed here, so logging out, relaunching and an admin's "end all sessions" take effect
/// at once. Window passes are single-use tickets to one lab's page in a window of its own.
public struct SessionStore: Sendable {
    public let ephemeral: any EphemeralStore
    public let box: SecretBox
    public let lifetime: Duration
    public init(ephemeral: any EphemeralStore, box: SecretBox, lifetime: Duration) {
        self.ephemeral = ephemeral
        self.box = box
        self.lifetime = lifetime
    }

    /// How long a window pass stays good.
    public static let passLifetime = Duration.seconds(120)

    private static func sessionKey(_ id: String) -> String { "session:" + id }
    private static func generationKey(_ user: UserID) -> String { "session-generation:" + user.rawValue }
    private static func passKey(_ pass: String) -> String { "window-pass:" + pass }

    /// Lists `session`, ending `previous` (the same browser's, on a relaunch), and returns the
    /// cookie value that carries it. One round trip to the store: a launch's last.
    public func begin(_ session: LaunchSession, ending previous: LaunchSession? = nil) async throws -> String {
        var session = session
        // The generation is kept as long as the sessions it rules, so none outlives it; renewed
        // in the step that reads it, never rewritten, so an "end all sessions" meanwhile stands.
        // (A user who never had one is at generation 0, with no key.) The new session's key
        // does not depend on it, so both go in one batch.
        var steps: [EphemeralStep] = [
            .get(Self.generationKey(session.userID), renewing: lifetime),
            .set(Self.sessionKey(session.id), to: session.userID.rawValue, ttl: lifetime),
        ]
        if let previous { steps.append(.delete(Self.sessionKey(previous.id))) }
        let results = try await ephemeral.run(steps)
        session.generation = Self.generation(results[0])
        return try session.sealed(box: box)
    }

    /// The session a cookie carries, if it is genuine, fresh and not ended.
    public func current(_ cookie: String, now: Date) async throws -> LaunchSession? {
        guard let session = LaunchSession.unsealed(cookie, box: box, now: now) else { return nil }
        let results = try await ephemeral.run([.get(Self.sessionKey(session.id)), .get(Self.generationKey(session.userID))])
        guard results[0] == session.userID.rawValue, Self.generation(results[1]) == session.generation else { return nil }
        return session
    }

    /// Ends one session (logout, relaunch in the same browser).
    public func end(_ session: LaunchSession) async throws {
        _ = try await ephemeral.delete(Self.sessionKey(session.id))
    }

    /// Ends every session of the user, in every browser.
    public func endAll(of user: UserID) async throws {
        let next = Self.generation(try await ephemeral.get(Self.generationKey(user))) + 1
        try await ephemeral.set(Self.generationKey(user), to: String(next), ttl: lifetime)
    }

    /// The generation a stored value names (0 without a key).
    private static func generation(_ stored: String?) -> Int64 {
        stored.flatMap { Int64($0) } ?? 0
    }

    /// A pass that opens `instance`'s page, in this session, in a window of its own; good once and for two minutes.
    public func issuePass(for cookie: String, instance: String) async throws -> String {
        let pass = RandomToken.make()
        try await ephemeral.set(Self.passKey(pass), to: instance + " " + cookie, ttl: Self.passLifetime)
        return pass
    }

    /// The session cookie a pass carries, spent by reading it; nil if it is unknown, used,
    /// expired or made for another lab (a pass shown for the wrong lab is spent all the same).
    public func redeemPass(_ pass: String, instance: String) async throws -> String? {
        guard let record = try await ephemeral.take(Self.passKey(pass)), let space = record.firstIndex(of: " "),
            record[..<space] == instance
        else { return nil }
        return String(record[record.index(after: space)...])
    }
}
