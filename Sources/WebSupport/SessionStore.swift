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

    /// Lists `session` and returns the cookie value that carries it.
    public func begin(_ session: LaunchSession) async throws -> String {
        var session = session
        // The generation is kept as long as the sessions it rules, so none outlives it; renewed
        // in the step that reads it, never rewritten, so an "end all sessions" meanwhile stands.
        // (A user who never had one is at generation 0, with no key.)
        session.generation = try await generation(of: session.userID, renewing: true)
        try await ephemeral.set(Self.sessionKey(session.id), to: session.userID.rawValue, ttl: lifetime)
        return try session.sealed(box: box)
    }

    /// The session a cookie carries, if it is genuine, fresh and not ended.
    public func current(_ cookie: String, now: Date) async throws -> LaunchSession? {
        guard let session = LaunchSession.unsealed(cookie, box: box, now: now),
            try await ephemeral.get(Self.sessionKey(session.id)) == session.userID.rawValue,
            try await generation(of: session.userID) == session.generation
        else { return nil }
        return session
    }

    /// Ends one session (logout, relaunch in the same browser).
    public func end(_ session: LaunchSession) async throws {
        _ = try await ephemeral.delete(Self.sessionKey(session.id))
    }

    /// Ends every session of the user, in every browser.
    public func endAll(of user: UserID) async throws {
        let next = try await generation(of: user) + 1
        try await ephemeral.set(Self.generationKey(user), to: String(next), ttl: lifetime)
    }

    /// The user's generation (0 without a key); with `renewing`, kept for `lifetime` from now in the same step.
    private func generation(of user: UserID, renewing: Bool = false) async throws -> Int64 {
        let key = Self.generationKey(user)
        let value = renewing ? try await ephemeral.get(key, renewing: lifetime) : try await ephemeral.get(key)
        return value.flatMap { Int64($0) } ?? 0
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
