import LabCore
import Storage
import Testing

@testable import Provisioning

/// Clone slots across processes, in the ephemeral store.
@Suite struct CloneSlotsTests {
    func slots(_ store: MemoryEphemeralStore) -> CloneSlots {
        CloneSlots(store: store, perNode: 1, perStorage: 2, ttl: .seconds(60), releases: SlotReleaseSignal())
    }

    /// An instance a worker holds, as every one that asks for a slot is.
    func held(in store: MemoryEphemeralStore) async throws -> LabInstanceID {
        let id = LabInstanceID.random()
        try await store.set(LabLifecycle.leaseKey(id), to: "a live worker", ttl: .seconds(60))
        return id
    }

    @Test func anInstanceAskingAgainKeepsItsSlotAndTakesNoSecond() async throws {
        let store = MemoryEphemeralStore()
        let first = try await held(in: store)
        #expect(try await slots(store).acquire(for: first, node: "pve1", storage: "shared"))
        #expect(try await slots(store).acquire(for: first, node: "pve1", storage: "shared"), "a resumed worker holds it already")
        // The storage has a second slot, so only a slot leaked by the repeat could refuse this.
        #expect(try await slots(store).acquire(for: try await held(in: store), node: "pve2", storage: "shared"))
        #expect(try await !slots(store).acquire(for: try await held(in: store), node: "pve3", storage: "shared"), "both storage slots are held")
    }

    @Test func movingToAnotherNodeGivesTheFirstSlotBack() async throws {
        let store = MemoryEphemeralStore()
        let first = try await held(in: store)
        #expect(try await slots(store).acquire(for: first, node: "pve1", storage: "shared"))
        #expect(try await slots(store).acquire(for: first, node: "pve2", storage: "shared"))
        #expect(try await slots(store).acquire(for: try await held(in: store), node: "pve1", storage: "shared"), "pve1's only slot was given back")
    }

    @Test func aSlotWhoseInstanceNoWorkerHoldsIsTakenOverAndOneALiveWorkerHoldsIsNot() async throws {
        let store = MemoryEphemeralStore()
        let live = try await held(in: store)
        #expect(try await slots(store).acquire(for: live, node: "pve1", storage: "shared"))
        #expect(try await !slots(store).acquire(for: try await held(in: store), node: "pve1", storage: "shared"), "pve1's slot is held")

        // Its worker is gone (its lease lapsed) and its release never came, as after a Redis failover.
        try await store.delete(LabLifecycle.leaseKey(live))
        let next = try await held(in: store)
        #expect(try await slots(store).acquire(for: next, node: "pve1", storage: "shared"), "the lost slot is taken over")
        #expect(try await store.get("clone-slot:node:pve1:0") == next.rawValue)
    }
}
