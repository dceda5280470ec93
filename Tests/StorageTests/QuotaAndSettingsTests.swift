import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Quotas, course settings and usage")
struct QuotaAndSettingsTests {
    @Test("quotas are one per scope, replaced on save, listed and removed", arguments: RelationalEngine.underTest)
    func quotas(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let quotas = repositories.quotas
            try await quotas.save(Quota(scope: .global, instances: 500, cores: 1000))
            try await quotas.save(Quota(scope: .course(CourseID("c-1")), instances: 30, checkpoints: 90))
            try await quotas.save(Quota(scope: .global, memoryMiB: 65_536))
            #expect(try await quotas.find(.global) == Quota(scope: .global, memoryMiB: 65_536))
            #expect(try await quotas.list().map(\.scope) == [.course(CourseID("c-1")), .global])
            #expect(try await quotas.find(.course(CourseID("c-1"))) == Quota(scope: .course(CourseID("c-1")), instances: 30, checkpoints: 90))
            #expect(try await quotas.remove(.course(CourseID("c-1"))))
            #expect(try await quotas.remove(.course(CourseID("c-1"))) == false)
            #expect(try await quotas.find(.eachStudent) == nil)
        }
    }

    @Test("a course's settings round-trip, its members come with their roles, and usage adds up its live instances", arguments: RelationalEngine.underTest)
    func settingsMembersUsage(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = try await repositories.courses.upsert(Course(platformID: seed.platform.id, deploymentID: "d", contextID: "ctx", title: "Networks"))
            #expect(try await repositories.courses.settings(of: course.id) == CourseSettings())
            let settings = CourseSettings(
                cores: 2, vlan: 2001, timeZone: "Europe/Zurich", windows: [TimeWindow(start: "2026-11-23T09:00", end: "2026-11-23T12:00")])
            try await repositories.courses.saveSettings(settings, for: course.id)
            try await repositories.courses.saveSettings(settings, for: course.id)
            #expect(try await repositories.courses.settings(of: course.id) == settings)
            await #expect(throws: StoreError.self) { try await repositories.courses.saveSettings(settings, for: CourseID("no-such-course")) }

            let teacher = try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "teacher", name: "Grace"))
            try await repositories.courses.enroll(seed.user.id, in: course.id, as: .student)
            try await repositories.courses.enroll(teacher.id, in: course.id, as: .teacher)
            let members = try await repositories.courses.members(of: course.id)
            #expect(members.map(\.user.name) == ["Ada", "Grace"] && members.map(\.role) == [.student, .teacher])

            let sized = LabInstance(userID: seed.user.id, environmentID: seed.environment.id, courseID: course.id, cores: 2, memoryMiB: 2048, createdAt: t0)
            _ = try await repositories.instances.findOrCreate(sized)
            #expect(try await repositories.instances.find(id: sized.id)?.cores == 2)
            #expect(try await repositories.instances.usage(of: .course(course.id)) == ResourceUsage(instances: 1, cores: 2, memoryMiB: 2048))
            #expect(try await repositories.instances.usage(of: .user(teacher.id)) == ResourceUsage())
            #expect(try await repositories.instances.list(courseID: course.id).map(\.id) == [sized.id])
            var deleted = try #require(try await repositories.instances.find(id: sized.id))
            try deleted.transition(to: .deleting, at: t0)
            deleted = try await repositories.instances.save(deleted)
            try deleted.transition(to: .deleted, at: t0)
            _ = try await repositories.instances.save(deleted)
            #expect(try await repositories.instances.usage(of: .all) == ResourceUsage())
            #expect(try await repositories.courses.page(after: nil, limit: 10).map(\.id) == [course.id])
        }
    }

    @Test(
        "a course quota holds when a class clicks at once: of 12 simultaneous new labs with room for 3, exactly 3 are made",
        arguments: RelationalEngine.underTest)
    func quotaUnderConcurrency(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            // The ephemeral store that goes with the engine in production: in process with SQLite, Redis with MariaDB.
            try await (engine == .sqlite ? EphemeralEngine.memory : .redis).withStore { (store) async throws in
                try await Self.rushOfTwelve(for: 3, in: repositories, turnsIn: store)
            }
        }
    }

    @Test(
        "a course quota holds with no turns to wait for, as when Redis lost them or a holder outlived its turn: the database's gate alone makes exactly 3 of 12",
        arguments: RelationalEngine.underTest)
    func quotaWithoutTurns(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            try await Self.rushOfTwelve(for: 3, in: repositories, turnsIn: nil)
        }
    }

    /// Twelve students of one course ask for a new lab at once under a course quota of `room`
    /// labs; expects exactly `room` admitted and counted.
    private static func rushOfTwelve(for room: Int, in repositories: Repositories, turnsIn store: (any EphemeralStore)?) async throws {
        let seed = try await Seed.make(in: repositories)
        let course = try await repositories.courses.upsert(Course(platformID: seed.platform.id, deploymentID: "d", contextID: "rush", title: "Rush"))
        try await repositories.quotas.save(Quota(scope: .course(course.id), instances: room))
        var students: [UserID] = []
        for index in 0..<12 {
            students.append(try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "rush-\(index)")).id)
        }
        let admission = LaunchAdmission(repositories: repositories, lock: store)
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for student in students {
                group.addTask {
                    // A turn that did not come in time is asked again, as the busy page does (bounded).
                    for _ in 0..<8 {
                        do {
                            _ = try await admission.findOrCreate(userID: student, environment: seed.environment, courseID: course.id, at: t0)
                            return true
                        } catch is LaunchRefusal {
                            return false
                        } catch let error as StoreError where error.isTemporary {
                            try await Task.sleep(for: .seconds(1))
                        }
                    }
                    throw StoreError.retryable("no answer after 8 attempts")
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == room)
        #expect(try await repositories.instances.usage(of: .course(course.id)).instances == room)
    }
}
