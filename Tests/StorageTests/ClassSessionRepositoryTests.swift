import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Class sessions and spares")
struct ClassSessionRepositoryTests {
    @Test("a session is stored, an overlapping one refused, finished and removed", arguments: RelationalEngine.underTest)
    func sessions(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = try await repositories.courses.upsert(
                Course(platformID: seed.platform.id, deploymentID: "1", contextID: "c-\(UUID().uuidString.prefix(6))", title: "Networks"))
            let store = repositories.classSessions
            let nine = ClassSession(
                courseID: course.id, environmentID: seed.environment.id, startsAt: t0 + 3600, endsAt: t0 + 7200, attendancePercent: 80, spares: 5,
                spareBuffer: 1, createdAt: t0)
            try await store.add(nine)
            #expect(try await store.list(courseID: course.id, since: t0) == [nine])

            // Sessions overlapping nine's are refused, naming it.
            let overlapping = (0..<2).map { index in
                ClassSession(courseID: course.id, environmentID: seed.environment.id, startsAt: t0 + 7000 + Double(index), endsAt: t0 + 9000, createdAt: t0)
            }
            let refusals = try await withThrowingTaskGroup(of: ClassSessionError?.self) { group in
                for session in overlapping {
                    group.addTask {
                        do {
                            try await store.add(session)
                            return nil
                        } catch let error as ClassSessionError {
                            return error
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }.compactMap { $0 }
            }
            #expect(refusals == [.overlaps(nine), .overlaps(nine)], "both overlap nine's")
            let eleven = ClassSession(courseID: course.id, environmentID: seed.environment.id, startsAt: t0 + 7200, endsAt: t0 + 9000, createdAt: t0)
            try await store.add(eleven)
            let racing = (0..<2).map { index in
                ClassSession(courseID: course.id, environmentID: seed.environment.id, startsAt: t0 + 9000, endsAt: t0 + 9600 + Double(index), createdAt: t0)
            }
            let stored = try await withThrowingTaskGroup(of: Bool.self) { group in
                for session in racing { group.addTask { (try? await store.add(session)) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(stored == 1, "of two overlapping sessions added at once, one is stored")

            #expect(try await store.list(courseID: course.id, since: t0 + 7200).map(\.id).contains(eleven.id))
            try await store.finish(nine.id, at: t0 + 7300)
            #expect(try await store.unfinished().contains { $0.id == nine.id } == false)
            try await store.remove(eleven.id)
            #expect(try await store.find(id: eleven.id) == nil)
        }
    }

    @Test("forty students claiming ten spares at once get each spare once", arguments: RelationalEngine.underTest)
    func claims(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = try await repositories.courses.upsert(
                Course(platformID: seed.platform.id, deploymentID: "1", contextID: "c-\(UUID().uuidString.prefix(6))", title: "Networks"))
            let session = ClassSession(courseID: course.id, environmentID: seed.environment.id, startsAt: t0 + 3600, endsAt: t0 + 7200, createdAt: t0)
            try await repositories.classSessions.add(session)
            let instances = repositories.instances
            /// A spare of the session, ready to be claimed.
            func readySpare() async throws -> LabInstance {
                var spare = LabInstance(
                    userID: seed.user.id, environmentID: seed.environment.id, courseID: course.id, createdAt: t0, preparedFor: session.id, isSpare: true)
                (spare, _) = try await instances.findOrCreate(spare)
                for state in [LabInstanceState.allocating, .cloning, .configuring, .starting, .waitingForAddress, .ready] {
                    try spare.transition(to: state, at: t0)
                    spare = try await instances.save(spare)
                }
                return spare
            }
            var spares: [LabInstanceID] = []
            for _ in 0..<10 { spares.append(try await readySpare().id) }
            #expect(try await instances.list(preparedFor: session.id).count == 10, "ten spares of one owner: each its own live key")
            var students: [UserID] = []
            for index in 0..<40 {
                students.append(try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "s\(index)")).id)
            }
            let claims = try await withThrowingTaskGroup(of: LabInstance?.self) { group in
                for student in students {
                    group.addTask { try await instances.claimSpare(environmentID: seed.environment.id, courseID: course.id, for: student, at: t0 + 60) }
                }
                return try await group.reduce(into: []) { $0.append($1) }.compactMap { $0 }
            }
            #expect(claims.count == 10 && Set(claims.map(\.id)) == Set(spares), "each spare claimed once")
            #expect(Set(claims.map(\.userID)).count == 10, "by ten different students")
            #expect(claims.allSatisfy { $0.state == .claiming && !$0.isSpare && $0.preparedFor == nil })
            #expect(try await instances.list(preparedFor: session.id).isEmpty)
            // A claimer who has a lab of the environment already gets no spare.
            let claimer = try #require(claims.first)
            var another = try #require(try await instances.find(id: claimer.id))
            try another.transition(to: .ready, at: t0)
            _ = try await instances.save(another)
            let extra = try await readySpare()
            #expect(try await instances.claimSpare(environmentID: seed.environment.id, courseID: course.id, for: claimer.userID, at: t0) == nil)
            #expect(try await instances.find(id: extra.id)?.isSpare == true, "and the spare stays one")
        }
    }
}
