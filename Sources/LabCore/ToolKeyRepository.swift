import Foundation

/// The tool's signing keys.
public protocol ToolKeyRepository: Sendable {
    /// Stores a new key; throws `StoreError.duplicate` if its kid is taken.
    func insert(_ key: ToolKey) async throws
    /// Every stored key, oldest first.
    func list() async throws -> [ToolKey]
    /// Sets when a key stops being published; returns false if there is no such key.
    func retire(kid: String, at date: Date) async throws -> Bool
    /// Deletes keys retired before `date`; returns how many.
    func purge(retiredBefore date: Date) async throws -> Int
}
