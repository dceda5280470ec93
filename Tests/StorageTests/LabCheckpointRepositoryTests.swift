import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Lab checkpoints")
struct LabCheckpointRepositoryTests {
    @Test("added up to the limit, also when added at once, marked, listed by lab and by course, removed", arguments: RelationalEngine.underTest)
    func checkpoints(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = CourseID("course-\(UUID().uuidString.prefix(6))")
            let (instance, _) = try await repositories.instances.findOrCreate(
                LabInstance(userID: seed.user.id, environmentID: seed.environment.id, courseID: course, createdAt: t0))
            let store = repositories.checkpoints
            func checkpoint(_ index: Int) -> LabCheckpoint {
                LabCheckpoint(instanceID: instance.id, name: "cp-\(index)", label: "step \(index) — “quoted”", createdAt: t0 + Double(index))
            }

            // Ten at once against a limit of three: three places, never more.
            let added = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<10 { group.addTask { try await store.add(checkpoint(index), limit: 3, within: []) == .added } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            let held = try await store.list(instanceID: instance.id)
            #expect(added == 3 && held.count == 3)
            #expect(held == held.sorted { $0.createdAt < $1.createdAt })
            #expect(held.allSatisfy { $0.status == .saving && $0.label.hasSuffix("— “quoted”") })

            let first = try #require(held.first)
            #expect(try await store.mark(instance.id, name: first.name, .failed, problem: "it could not be saved: no space"))
            #expect(try await store.mark(instance.id, name: "cp-none", .saved, problem: nil) == false)
            #expect(try await store.list(instanceID: instance.id).first?.problem == "it could not be saved: no space")
            // A failed checkpoint takes no place.
            #expect(try await store.add(checkpoint(20), limit: held.count, within: []) == .added)
            #expect(try await store.add(checkpoint(21), limit: held.count, within: []) == .labFull)

            #expect(Set(try await store.list(courseID: course).map(\.name)) == Set(try await store.list(instanceID: instance.id).map(\.name)))
            #expect(try await store.list(courseID: CourseID("another")).isEmpty)

            try await store.remove(instance.id, name: first.name)
            #expect(try await store.list(instanceID: instance.id).contains { $0.name == first.name } == false)
            try await store.removeAll(of: instance.id)
            #expect(try await store.list(instanceID: instance.id).isEmpty)
        }
    }

    @Test(
        "a course's quota holds when its students save at once in different labs: of 12 checkpoints over 4 labs with room for 2, exactly 2 are added",
        arguments: RelationalEngine.underTest)
    func quotaAcrossLabs(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = CourseID("course-\(UUID().uuidString.prefix(6))")
            var labs: [LabInstanceID] = []
            for index in 0..<4 {
                let student = try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "saver-\(index)"))
                labs.append(
                    try await repositories.instances.findOrCreate(
                        LabInstance(userID: student.id, environmentID: seed.environment.id, courseID: course, createdAt: t0)
                    ).instance.id)
            }
            let quota = CheckpointQuota(scope: .course(course), limit: 2, holder: "your course")
            let store = repositories.checkpoints
            let outcomes = try await withThrowingTaskGroup(of: CheckpointAddition.self) { group in
                for index in 0..<12 {
                    let checkpoint = LabCheckpoint(instanceID: labs[index % 4], name: "cp-\(index)", label: "step \(index)", createdAt: t0)
                    group.addTask { try await store.add(checkpoint, limit: 20, within: [quota]) }
                }
                return try await group.reduce(into: [CheckpointAddition]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .added }.count == 2)
            #expect(outcomes.filter { $0 == .quotaFull(quota) }.count == 10)
            #expect(try await store.count(in: .course(course)) == 2)
        }
    }
}
