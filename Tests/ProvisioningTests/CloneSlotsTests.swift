import LabCore
import Storage
import Testing

@testable import Provisioning

/// Clone slots across processes, in the ephemeral store.
@Suite struct CloneSlotsTests {
    func slots(_ store: MemoryEphemeralStore) -> CloneSlots {
        CloneSlots(store: store, perNode: 1, perStorage: 2, ttl: .seconds(60), releases: SlotReleaseSignal())
    }

    @Test func anInstanceAskingAgainKeepsItsSlotAndTakesNoSecond() async throws {
        let store = MemoryEphemeralStore()
        let first = LabInstanceID.random()
        #expect(try await slots(store).acquire(for: first, node: "pve1", storage: "shared"))
        #expect(try await slots(store).acquire(for: first, node: "pve1", storage: "shared"), "a resumed worker holds it already")
        // The storage has a second slot, so only a slot leaked by the repeat could refuse this.
        #expect(try await slots(store).acquire(for: .random(), node: "pve2", storage: "shared"))
    }

    @Test func movingToAnotherNodeGivesTheFirstSlotBack() async throws {
        let store = MemoryEphemeralStore()
        let first = LabInstanceID.random()
        #expect(try await slots(store).acquire(for: first, node: "pve1", storage: "shared"))
        #expect(try await slots(store).acquire(for: first, node: "pve2", storage: "shared"))
        #expect(try await slots(store).acquire(for: .random(), node: "pve1", storage: "shared"), "pve1's only slot was given back")
    }
}
