import LabCore

/// A semaphore across processes for clones, kept in the ephemeral store: each node and each
/// storage has a fixed number of slots, each a key that expires, so a worker that dies
/// holding one gives it back after `ttl`.
struct CloneSlots: Sendable {
    let store: any EphemeralStore
    let perNode: Int
    let perStorage: Int
    let ttl: Duration
    let releases: SlotReleaseSignal

    /// Takes a node slot and a storage slot for `instance`, or none; true if it holds both
    /// (also when it held them already, after a restart).
    func acquire(for instance: LabInstanceID, node: String, storage: String) async throws -> Bool {
        if let held = try await store.get(Self.leaseKey(instance)) {
            // After a restart: what it holds on this node is its; what it holds elsewhere goes back first.
            if held.hasPrefix(Self.slotKey("node:\(node):")) { return true }
            try await release(for: instance)
        }
        guard let nodeSlot = try await take(kind: "node", name: node, count: perNode, holder: instance) else { return false }
        guard let storageSlot = try await take(kind: "storage", name: storage, count: perStorage, holder: instance) else {
            try await store.delete(nodeSlot)
            return false
        }
        try await store.set(Self.leaseKey(instance), to: "\(nodeSlot) \(storageSlot)", ttl: ttl)
        return true
    }

    /// Gives back what `instance` holds; nothing if it holds nothing.
    func release(for instance: LabInstanceID) async throws {
        guard let held = try await store.take(Self.leaseKey(instance)) else { return }
        for key in held.split(separator: " ") {
            try await store.delete(String(key))
        }
        releases.signal()
    }

    private func take(kind: String, name: String, count: Int, holder: LabInstanceID) async throws -> String? {
        for index in 0..<count {
            let key = "\(kind):\(name):\(index)"
            if try await store.setIfAbsent(Self.slotKey(key), to: holder.rawValue, ttl: ttl) { return Self.slotKey(key) }
        }
        return nil
    }

    private static func slotKey(_ slot: String) -> String { "clone-slot:" + slot }
    private static func leaseKey(_ instance: LabInstanceID) -> String { "clone-lease:\(instance)" }
}
