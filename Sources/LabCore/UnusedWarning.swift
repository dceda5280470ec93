import Foundation

/// The warning a lab gets when its student is connected but has not used it for a while: the
/// reconciler keeps it in the ephemeral store until the lab is used again or paused, and
/// the lab's page shows it.
public struct UnusedWarning: Sendable, Hashable {
    /// When the lab is paused unless it is used before.
    public var pausesAt: Date

    public init(pausesAt: Date) {
        self.pausesAt = pausesAt
    }

    public static func find(for id: LabInstanceID, in store: any EphemeralStore) async throws -> UnusedWarning? {
        try await store.get(key(id)).flatMap(Double.init).map { UnusedWarning(pausesAt: Date(timeIntervalSince1970: $0)) }
    }

    /// Kept for `ttl`, so a warning nobody clears (its lab deleted) goes by itself.
    public func save(for id: LabInstanceID, in store: any EphemeralStore, ttl: Duration) async throws {
        try await store.set(Self.key(id), to: String(pausesAt.timeIntervalSince1970), ttl: ttl)
    }

    public static func clear(for id: LabInstanceID, in store: any EphemeralStore) async throws {
        _ = try await store.delete(key(id))
    }

    static func key(_ id: LabInstanceID) -> String { "unused-warning:\(id)" }
}
