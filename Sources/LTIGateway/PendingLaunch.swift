import Foundation
import LabCore
import WebSupport

/// A verified launch that met a busy LabGate, kept for two minutes so the browser can retry
/// it by itself: the id_token's nonce is spent, so the platform's post cannot be sent again.
/// The browser holds only an unguessable ticket, in a cookie (never in a URL), and a ticket
/// is spent on its first use.
struct PendingLaunch: Codable, Sendable {
    var launch: ValidatedLaunch
    /// How many times this launch has been tried.
    var attempt: Int

    static let cookieName = "lg_retry"
    static let cookiePath = "/lti"
    /// Where the busy page sends the browser back.
    static let retryPath = "/lti/launch/retry"
    static let lifetime = Duration.seconds(120)
    /// About 40 s of retries at 5 s each: past that, the student hears to click again.
    static let maxAttempts = 8

    static func storeKey(_ ticket: String) -> String { "lti:retry:" + ticket }

    /// Stores the launch under a new ticket and returns the ticket.
    func store(in ephemeral: any EphemeralStore) async throws -> String {
        let ticket = RandomToken.make()
        try await ephemeral.set(Self.storeKey(ticket), to: String(decoding: try JSONEncoder().encode(self), as: UTF8.self), ttl: Self.lifetime)
        return ticket
    }

    /// The launch kept under `ticket`, taken so that no second retry runs it; nil when spent or expired.
    static func take(_ ticket: String, from ephemeral: any EphemeralStore) async throws -> PendingLaunch? {
        guard let stored = try await ephemeral.take(storeKey(ticket)) else { return nil }
        return try? JSONDecoder().decode(PendingLaunch.self, from: Data(stored.utf8))
    }
}
