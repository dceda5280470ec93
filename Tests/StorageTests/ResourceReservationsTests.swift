import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Resource reservations")
struct ResourceReservationsTests {
    @Test("a number goes to exactly one of many instances asking at once", arguments: RelationalEngine.underTest)
    func exclusive(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await repositories.reservations.reserve(
                            ResourceReservation(kind: "vmid", value: 100_123, holder: .instance(.random()), createdAt: t0))
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            // The same number of another kind is free.
            #expect(try await repositories.reservations.reserve(ResourceReservation(kind: "vlan", value: 100_123, holder: .instance(.random()), createdAt: t0)))
        }
    }

    @Test("an instance's reservations are found by holder and released together", arguments: RelationalEngine.underTest)
    func releaseByHolder(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let holder = LabInstanceID.random()
            #expect(try await repositories.reservations.reserve(ResourceReservation(kind: "vmid", value: 100_200, holder: .instance(holder), createdAt: t0)))
            #expect(try await repositories.reservations.reserve(ResourceReservation(kind: "vlan", value: 2001, holder: .instance(holder), createdAt: t0)))
            #expect(try await repositories.reservations.reserve(ResourceReservation(kind: "vmid", value: 100_201, holder: .instance(.random()), createdAt: t0)))
            #expect(try await repositories.reservations.held(kind: "vlan", by: .instance(holder)).map(\.value) == [2001])
            #expect(try await repositories.reservations.list(kind: "vmid").map(\.value) == [100_200, 100_201])
            #expect(try await repositories.reservations.release(heldBy: .instance(holder)) == 2)
            #expect(try await repositories.reservations.held(kind: "vmid", by: .instance(holder)).isEmpty)
            #expect(try await repositories.reservations.list(kind: "vmid").map(\.value) == [100_201])
        }
    }

    @Test("an instance keeps its lifetime end and guest password", arguments: RelationalEngine.underTest)
    func instanceProvisioningFields(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            var (instance, _) = try await repositories.instances.findOrCreate(
                LabInstance(userID: seed.user.id, environmentID: seed.environment.id, expiresAt: t0.addingTimeInterval(60), createdAt: t0))
            #expect(try await repositories.instances.find(id: instance.id)?.expiresAt == t0.addingTimeInterval(60))
            instance.guestPassword = "pw-abc"
            instance.expiresAt = t0.addingTimeInterval(3600)
            _ = try await repositories.instances.save(instance)
            let stored = try #require(try await repositories.instances.find(id: instance.id))
            #expect(stored.guestPassword == "pw-abc")
            #expect(stored.expiresAt == t0.addingTimeInterval(3600))
        }
    }
}

extension ResourceReservationsTests {
    @Test("a course holds its VLAN apart from instances", arguments: RelationalEngine.underTest)
    func courseHolder(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let course = CourseID.random()
            #expect(try await repositories.reservations.reserve(ResourceReservation(kind: "vlan", value: 3001, holder: .course(course), createdAt: t0)))
            #expect(try await repositories.reservations.held(kind: "vlan", by: .course(course)).map(\.holder) == [.course(course)])
            #expect(try await repositories.reservations.held(kind: "vlan", by: .instance(LabInstanceID(course.rawValue))).isEmpty)
            // A course's groups hold theirs apart from the course and from each other.
            #expect(try await repositories.reservations.reserve(ResourceReservation(kind: "vlan", value: 3101, holder: .group(course, "7"), createdAt: t0)))
            #expect(try await repositories.reservations.held(kind: "vlan", by: .group(course, "7")).map(\.value) == [3101])
            #expect(try await repositories.reservations.held(kind: "vlan", by: .group(course, "8")).isEmpty)
            #expect(try await repositories.reservations.list(kind: "vlan").map(\.holder) == [.course(course), .group(course, "7")])
        }
    }
}
