import JOSE
import Logging

/// Platforms' public keys, fetched from their JWKS URLs and kept for `keySetMaxAge`.
///
/// An unknown `kid` (the platform rotated its keys) is answered by a fetch that starts after
/// the launch arrived, but fetches of one key set start at least `refetchInterval` apart,
/// however many launches ask: tokens with made-up kids cannot turn LabGate into an amplifier
/// against a platform. A launch that comes sooner waits for the next allowed fetch (at most
/// `maxWait`) and shares it with every launch waiting then. If a fetch fails, keys already
/// known keep working.
public actor KeySetCache {
    private struct Entry {
        var keys: [String: RSAVerificationKey] = [:]
        var fetchedAt: ContinuousClock.Instant?
        /// When the latest fetch started, and whether it is still running.
        var lastAttempt: ContinuousClock.Instant?
        var inFlight: Task<[String: RSAVerificationKey], any Error>?
        /// Why the latest fetch failed, if it did.
        var lastError: String?
    }

    /// The longest a launch waits for the next allowed fetch; beyond it the kid is refused at once.
    static let maxWait: Duration = .seconds(2)

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
        let arrived = ContinuousClock.now
        if let entry = entries[url], let key = entry.keys[kid], let fetchedAt = entry.fetchedAt {
            // A known key of an old set is still used when no fetch may start now (a set is
            // refreshed by the next launch that may fetch).
            if fetchedAt.duration(to: arrived) < maxAge || !mayStartFetch(entry, at: arrived) { return key }
        }
        while true {
            let entry = entries[url] ?? Entry()
            // A fetch that started after this launch arrived has the platform's keys as they are.
            if let started = entry.lastAttempt, started >= arrived, entry.inFlight == nil {
                if let key = entry.keys[kid] { return key }
                if entry.keys.isEmpty, let error = entry.lastError { throw .keySetUnavailable("\(url): \(error)") }
                throw .unknownKey(kid: kid)
            }
            if let running = entry.inFlight {
                _ = try? await running.value
                continue
            }
            let now = ContinuousClock.now
            if !mayStartFetch(entry, at: now) {
                let wait = now.duration(to: entry.lastAttempt! + refetchInterval)
                guard wait <= Self.maxWait else {
                    if let key = entry.keys[kid] { return key }
                    throw .unknownKey(kid: kid)
                }
                try? await Task.sleep(for: wait)
                continue
            }
            startFetch(url)
        }
    }

    private func mayStartFetch(_ entry: Entry, at now: ContinuousClock.Instant) -> Bool {
        entry.lastAttempt.map { $0.duration(to: now) >= refetchInterval } ?? true
    }

    /// Starts the one fetch of `url`; its result lands in the entry, and every waiter sees it.
    private func startFetch(_ url: String) {
        let http = self.http
        entries[url, default: Entry()].lastAttempt = .now
        entries[url]?.inFlight = Task {
            let keys: [String: RSAVerificationKey]
            do {
                keys = try await http.getJSON(JSONWebKeySet.self, from: url, checkAddresses: false).verificationKeys()
            } catch {
                self.fetched(url, .failure(error))
                throw error
            }
            self.fetched(url, .success(keys))
            return keys
        }
    }

    private func fetched(_ url: String, _ result: Result<[String: RSAVerificationKey], any Error>) {
        entries[url]?.inFlight = nil
        switch result {
        case .success(let keys):
            entries[url]?.keys = keys
            entries[url]?.fetchedAt = .now
            entries[url]?.lastError = nil
        case .failure(let error):
            logger.warning("could not fetch a platform's key set", metadata: ["url": .string(url), "error": .string("\(error)")])
            entries[url]?.lastError = "\(error)"
        }
    }
}
