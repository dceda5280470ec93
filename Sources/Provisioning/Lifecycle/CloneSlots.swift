import LabCore

/// A semaphore across processes for clones, kept in the ephemeral store: each node and each
/// storage has a fixed number of slots, each a key naming the instance that holds it. A slot
/// whose instance no worker holds any more is taken over; every slot expires after `ttl` besides.
struct CloneSlots: Sendable {
    let store: any EphemeralStore
    let perNode: Int
    let perStorage: Int
    let ttl: Duration
    let releases: SlotReleaseSignal

    /// Takes a node slot and a storage slot for `instance`, or none; true if it holds both
    /// (also when it held them already, after a restart). `reclaiming` also looks at whom each
    /// taken slot belongs to (two reads a slot), which a caller polling often does now and then.
    func acquire(for instance: LabInstanceID, node: String, storage: String, reclaiming: Bool = true) async throws -> Bool {
        if let held = try await store.get(Self.leaseKey(instance)) {
            // After a restart: what it holds on this node is its; what it holds elsewhere goes back first.
            if held.hasPrefix(Self.slotKey("node:\(node):")) { return true }
            try await release(for: instance)
        }
        guard let nodeSlot = try await take(kind: "node", name: node, count: perNode, holder: instance, reclaiming: reclaiming) else { return false }
        guard let storageSlot = try await take(kind: "storage", name: storage, count: perStorage, holder: instance, reclaiming: reclaiming) else {
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

    private func take(kind: String, name: String, count: Int, holder: LabInstanceID, reclaiming: Bool) async throws -> String? {
        for index in 0..<count {
            let key = "\(kind):\(name):\(index)"
            let slot = Self.slotKey(key)
            if try await store.setIfAbsent(slot, to: holder.rawValue, ttl: ttl) { return slot }
            guard reclaiming else { continue }
            // A slot is taken only while its instance's lease is held, and given back before that
            // ends. One whose instance no worker holds was lost: its worker died before noting it,
            // or a Redis failover dropped its release. It is taken over rather than waited out.
            guard let owner = try await store.get(slot) else { continue }
            let lost = try await store.get(LabLifecycle.leaseKey(LabInstanceID(owner))) == nil
            if owner == holder.rawValue || lost, try await store.replace(slot, ifHolding: owner, with: holder.rawValue, ttl: ttl) { return slot }
        }
        return nil
    }

    private static func slotKey(_ slot: String) -> String { "clone-slot:" + slot }
    private static func leaseKey(_ instance: LabInstanceID) -> String { "clone-lease:\(instance)" }
}
