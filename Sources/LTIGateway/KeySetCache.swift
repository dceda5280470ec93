import JOSE
import Logging

/// Platforms' public keys, fetched from their JWKS URLs and kept for `keySetMaxAge`.
///
/// An unknown `kid` (the platform rotated its keys) triggers one refetch, but at most one
/// per `keySetRefetchInterval` per key set, however many launches ask: tokens with made-up
/// kids cannot turn LabGate into an amplifier against a platform. Concurrent askers share
/// one fetch. If a refetch fails, keys already known keep working.
public actor KeySetCache {
    private struct Entry {
        var keys: [String: RSAVerificationKey] = [:]
        var fetchedAt: ContinuousClock.Instant?
        var lastAttempt: ContinuousClock.Instant?
        var inFlight: Task<[String: RSAVerificationKey], any Error>?
    }

    private let http: OutboundHTTP
    private let maxAge: Duration
    private let refetchInterval: Duration
    private let logger: Logger
    private var entries: [String: Entry] = [:]

    public init(http: OutboundHTTP, maxAge: Duration, refetchInterval: Duration, logger: Logger) {
        self.http = http
        self.maxAge = maxAge
        self.refetchInterval = refetchInterval
        self.logger = logger
    }

    /// The key `kid` of the key set at `url`.
    func key(_ kid: String, keySetURL url: String) async throws(LTIError) -> RSAVerificationKey {
        let now = ContinuousClock.now
        let entry = entries[url] ?? Entry()
        let fresh = entry.fetchedAt.map { $0.duration(to: now) < maxAge } ?? false
        if fresh, let key = entry.keys[kid] { return key }
        let mayFetch = entry.lastAttempt.map { $0.duration(to: now) >= refetchInterval } ?? true
        if mayFetch || entry.inFlight != nil {
            do {
                let keys = try await fetch(url)
                if let key = keys[kid] { return key }
            } catch {
                logger.warning("could not fetch a platform's key set", metadata: ["url": .string(url), "error": .string("\(error)")])
                if let key = entry.keys[kid] { return key }
                if entry.keys.isEmpty { throw .keySetUnavailable("\(url): \(error)") }
            }
        } else if let key = entry.keys[kid] {
            return key
        }
        throw .unknownKey(kid: kid)
    }

    /// One fetch at a time per key set; everyone waiting gets its result.
    private func fetch(_ url: String) async throws -> [String: RSAVerificationKey] {
        if let running = entries[url]?.inFlight { return try await running.value }
        let http = self.http
        let task = Task { try await http.getJSON(JSONWebKeySet.self, from: url, checkAddresses: false).verificationKeys() }
        entries[url, default: Entry()].inFlight = task
        entries[url]?.lastAttempt = .now
        defer { entries[url]?.inFlight = nil }
        let keys = try await task.value
        entries[url]?.keys = keys
        entries[url]?.fetchedAt = .now
        return keys
    }
}
