import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Launch snapshots")
struct LaunchSnapshotTests {
    @Test("one read returns what is known: user, course, role, activity, environment and live instance", arguments: RelationalEngine.underTest)
    func snapshot(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let read = { (link: String) async throws -> LaunchSnapshot? in
                try await repositories.launchSnapshots.snapshot(
                    platformID: seed.platform.id, subject: "student-1", deploymentID: "d", contextID: "c", resourceLinkID: link)
            }
            #expect(
                try await repositories.launchSnapshots.snapshot(
                    platformID: seed.platform.id, subject: "nobody", deploymentID: "d", contextID: "c", resourceLinkID: "r") == nil)
            #expect(try await read("r") == LaunchSnapshot(user: seed.user))

            let course = try await repositories.courses.upsert(Course(platformID: seed.platform.id, deploymentID: "d", contextID: "c", title: "C"))
            try await repositories.courses.enroll(seed.user.id, in: course.id, as: .student)
            #expect(try await read("r") == LaunchSnapshot(user: seed.user, course: course, role: .student))

            let activity = try await repositories.courses.upsertActivity(
                Activity(courseID: course.id, resourceLinkID: "r", title: "R", environmentID: seed.environment.id))
            #expect(try await read("r") == LaunchSnapshot(user: seed.user, course: course, role: .student, activity: activity, environment: seed.environment))

            let (instance, _) = try await repositories.instances.findOrCreate(
                LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
            let full = try await read("r")
            #expect(full?.liveInstance == instance)
            #expect(try await read("other-link")?.activity == nil)

            var deleted = instance
            for state in [LabInstanceState.deleting, .deleted] { try deleted.transition(to: state, at: t0 + 1) }
            _ = try await repositories.instances.save(deleted)
            #expect(try await read("r")?.liveInstance == nil)
        }
    }
}
