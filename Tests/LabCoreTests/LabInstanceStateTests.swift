import Foundation
import LabCore
import Testing

@Suite("Lab instance state machine")
struct LabInstanceStateTests {
    let time = Date(timeIntervalSince1970: 1_790_000_000)

    func instance(in state: LabInstanceState) -> LabInstance {
        LabInstance(
            userID: UserID("u"), environmentID: EnvironmentID("e"), state: state,
            failureReason: state == .failed ? "earlier failure" : nil, createdAt: time)
    }

    @Test("the happy path runs from requested to ready and back down to deleted")
    func happyPath() throws {
        var instance = instance(in: .requested)
        for next: LabInstanceState in [
            .allocating, .cloning, .configuring, .starting, .waitingForAddress, .ready,
            .stopping, .stopped, .deleting, .deleted,
        ] {
            try instance.transition(to: next, at: time)
            #expect(instance.state == next)
        }
    }

    @Test("every move not listed is refused and leaves the instance as it was", arguments: LabInstanceState.allCases)
    func illegalMovesAreRefused(from state: LabInstanceState) {
        for next in LabInstanceState.allCases where !state.successors.contains(next) {
            var instance = instance(in: state)
            #expect(throws: LabInstanceError.illegalTransition(from: state, to: next)) {
                try instance.transition(to: next, at: time.addingTimeInterval(1))
            }
            #expect(instance.state == state)
            #expect(instance.updatedAt == time)
        }
    }

    @Test("a deleted instance is final")
    func deletedIsFinal() {
        #expect(LabInstanceState.deleted.successors.isEmpty)
        #expect(!LabInstanceState.deleted.isLive)
        #expect(LabInstanceState.allCases.filter { !$0.isLive } == [.deleted])
    }

    @Test("failing needs a reason, which is cleared when the instance is retried")
    func failureReason() throws {
        var instance = instance(in: .cloning)
        #expect(throws: LabInstanceError.failureWithoutReason) { try instance.transition(to: .failed, at: time) }
        try instance.transition(to: .failed, at: time, reason: "storage local-lvm is full")
        #expect(instance.failureReason == "storage local-lvm is full")
        try instance.transition(to: .requested, at: time)
        #expect(instance.failureReason == nil)
    }

    @Test("any live state can be torn down")
    func everythingLiveCanBeDeleted() {
        for state in LabInstanceState.allCases where state.isLive && state != .deleting {
            #expect(state.successors.contains(.deleting), "\(state) cannot be deleted")
        }
    }
}

@Suite("Identifiers")
struct IdentifierTests {
    @Test("random identifiers are 32 hex digits and do not repeat")
    func randomIdentifiers() {
        let ids = (0..<1000).map { _ in UserID.random().rawValue }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test("an identifier encodes as a bare string")
    func coding() throws {
        let id = CourseID("course-7")
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["course-7"]"#)
        #expect(try JSONDecoder().decode([CourseID].self, from: data) == [id])
    }
}
