import Foundation
import LabCore
import NIOConcurrencyHelpers
import WebEncoding

/// Registered platforms with their deployments, as the launch path reads them: every
/// login and launch looks its platform up, so a found registration is kept for a few
/// seconds instead of being read from the database each time.
///
/// Changes made through this process (`PlatformRegistry`) take effect at once; changes
/// made by another process within `registryCacheLifetime`.
///
/// The platform's authentication URL, where every login sends a browser, is checked
/// (`BrowserURL`) once per reading, not once per login.
public final class PlatformDirectory: Sendable {
    /// One platform and what it allows.
    public struct Entry: Sendable {
        public var platform: Platform
        public var deployments: Set<String>
        /// The platform's authentication URL as a browser may be sent to it, or why not.
        public var authURL: Result<BrowserURL, BrowserURLError>
    }

    private struct Cached {
        var entry: Entry
        var loadedAt: ContinuousClock.Instant
    }

    private let repository: any PlatformRepository
    private let lifetime: Duration
    private let allowInsecureLoopback: Bool
    private let cache = NIOLockedValueBox<[String: Cached]>([:])
    private let ancestors = NIOLockedValueBox<(origins: [String], loadedAt: ContinuousClock.Instant)?>(nil)

    public init(repository: any PlatformRepository, lifetime: Duration, allowInsecureLoopback: Bool) {
        self.repository = repository
        self.lifetime = lifetime
        self.allowInsecureLoopback = allowInsecureLoopback
    }

    /// The platform with this issuer and client id. Without a client id (the login request
    /// may omit it) the issuer must have exactly one.
    public func find(issuer: String, clientID: String?) async throws -> Entry? {
        if let clientID {
            let key = Self.key(issuer, clientID)
            let now = ContinuousClock.now
            if let hit = cache.withLockedValue({ $0[key] }), hit.loadedAt.duration(to: now) < lifetime {
                return hit.entry
            }
            guard let platform = try await repository.find(issuer: issuer, clientID: clientID) else {
                cache.withLockedValue { $0[key] = nil }
                return nil
            }
            let entry = Entry(
                platform: platform, deployments: Set(try await repository.deployments(of: platform.id)),
                authURL: Result { () throws(BrowserURLError) in try BrowserURL(platform.authURL, allowInsecureLoopback: allowInsecureLoopback) })
            cache.withLockedValue { $0[key] = Cached(entry: entry, loadedAt: now) }
            return entry
        }
        let matches = try await repository.list().filter { $0.issuer == issuer }
        guard !matches.isEmpty else { return nil }
        guard matches.count == 1 else { throw LTIError.ambiguousClient(issuer: issuer) }
        return try await find(issuer: issuer, clientID: matches[0].clientID)
    }

    /// The origins of the active platforms (`Platform.origins`): the sites that may frame
    /// LabGate's pages. Every page answer asks, so they too are kept for `lifetime`.
    public func frameAncestors() async throws -> [String] {
        let now = ContinuousClock.now
        if let hit = ancestors.withLockedValue({ $0 }), hit.loadedAt.duration(to: now) < lifetime { return hit.origins }
        let origins = Array(Set(try await repository.list().filter { $0.status == .active }.flatMap(\.origins))).sorted()
        ancestors.withLockedValue { $0 = (origins, now) }
        return origins
    }

    /// Forgets what was read, so the next lookup sees a change made just now.
    public func invalidate() {
        cache.withLockedValue { $0.removeAll() }
        ancestors.withLockedValue { $0 = nil }
    }

    private static func key(_ issuer: String, _ clientID: String) -> String {
        issuer + "\u{0}" + clientID
    }
}
