import Foundation
import JOSE
import LabCore
import WebSupport
import _CryptoExtras

/// The tool's own signing keys: generated on first start, kept encrypted in the database,
/// published at `/lti/jwks`, rotated without a moment where a platform could see a
/// signature by a key it cannot fetch.
public struct ToolKeyRing: Sendable {
    /// How long a token LabGate signs stays valid; a retired key stays published this long
    /// (plus a margin) after its successor starts signing.
    public static let tokenLifetime = Duration.seconds(300)
    private static let purpose = "tool private keys"

    private let repository: any ToolKeyRepository
    private let box: SecretBox

    public init(repository: any ToolKeyRepository, box: SecretBox) {
        self.repository = repository
        self.box = box
    }

    /// Creates the first key if there is none; returns its kid when it did.
    @discardableResult
    public func ensureKey(now: Date) async throws -> String? {
        let existing = try await repository.list()
        guard existing.allSatisfy({ !$0.isPublished(at: now) }) else { return nil }
        // Processes that start together see the same keys and so name the new one alike:
        // one insert wins, the others find the kid taken and use the winner's key.
        let kid = String(box.tag(Data(existing.map(\.kid).sorted().joined(separator: ",").utf8), purpose: "first tool key").prefix(20))
        do {
            return try await addKey(kid: kid, activatingAt: now, now: now)
        } catch StoreError.duplicate {
            return nil
        }
    }

    /// Publishes a new key at once that signs from `now + lead`; the keys it replaces stay
    /// published until what they signed has expired. Returns the new kid.
    public func rotate(lead: Duration, now: Date) async throws -> String {
        let activation = now + lead.timeInterval
        let retirement = activation + (Self.tokenLifetime * 2).timeInterval
        let previous = try await repository.list().filter { $0.isPublished(at: now) }
        let kid = try await addKey(activatingAt: activation, now: now)
        for key in previous where key.retiresAt.map({ $0 > retirement }) ?? true {
            _ = try await repository.retire(kid: key.kid, at: retirement)
        }
        _ = try await repository.purge(retiredBefore: now)
        return kid
    }

    /// The public keys to publish now.
    public func publishedKeySet(now: Date) async throws -> JSONWebKeySet {
        var keys: [JSONWebKey] = []
        for key in try await repository.list() where key.isPublished(at: now) {
            keys.append(try open(key).publicJWK())
        }
        return JSONWebKeySet(keys: keys)
    }

    /// The key that signs now: of the published keys that have reached their activation, the
    /// one activated last.
    public func signingKey(now: Date) async throws -> RSASigningKey {
        let usable = try await repository.list().filter { $0.isPublished(at: now) && $0.activatesAt <= now }
        guard let key = usable.max(by: { ($0.activatesAt, $0.createdAt) < ($1.activatesAt, $1.createdAt) }) else {
            throw ToolKeyError.noActiveKey
        }
        return try open(key)
    }

    /// The stored keys with when they sign and until when they are published.
    public func list() async throws -> [ToolKey] {
        try await repository.list()
    }

    private func addKey(kid: String = String(Identifier<ToolKey>.random().rawValue.prefix(20)), activatingAt activation: Date, now: Date) async throws -> String
    {
        let key = try RSASigningKey.generate(kid: kid)
        let sealed = try box.seal(key.privateKey.derRepresentation, purpose: Self.purpose)
        try await repository.insert(ToolKey(kid: kid, sealedPrivateKey: sealed, createdAt: now, activatesAt: activation))
        return kid
    }

    private func open(_ key: ToolKey) throws -> RSASigningKey {
        do {
            let der = try box.open(key.sealedPrivateKey, purpose: Self.purpose)
            return RSASigningKey(kid: key.kid, privateKey: try _RSA.Signing.PrivateKey(derRepresentation: der))
        } catch {
            throw ToolKeyError.unreadable(kid: key.kid)
        }
    }
}

/// Why the tool's keys cannot be used.
public enum ToolKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case noActiveKey
    /// The key was sealed under another secret, or the stored value is damaged.
    case unreadable(kid: String)

    public var description: String {
        switch self {
        case .noActiveKey: "the tool has no signing key yet; `labgate serve` creates one on start"
        case .unreadable(let kid): "tool key \(kid) cannot be decrypted: the configured secret key (security.secretKey) is not the one it was stored with"
        }
    }
}
