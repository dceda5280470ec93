import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Users, courses and activities")
struct PeopleAndCoursesTests {
    @Test("a user is one row per (issuer, subject); launches refresh name and email", arguments: RelationalEngine.underTest)
    func userUpsert(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let again = try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "student-1", email: "ada@example.edu"))
            #expect(again.id == seed.user.id)
            #expect(again.name == "Ada")
            #expect(again.email == "ada@example.edu")
            #expect(try await repositories.users.find(id: seed.user.id) == again)
        }
    }

    @Test("concurrent first launches of one person create one user", arguments: RelationalEngine.underTest)
    func concurrentUpsert(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let ids = try await withThrowingTaskGroup(of: UserID.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await repositories.users.upsert(User(platformID: seed.platform.id, subject: "new-person")).id }
                }
                return try await group.reduce(into: Set<UserID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
        }
    }

    @Test("a course is keyed by issuer and context, whatever the deployment; activities keep their binding", arguments: RelationalEngine.underTest)
    func coursesAndActivities(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = try await repositories.courses.upsert(
                Course(platformID: seed.platform.id, deploymentID: "dep", contextID: "ctx-1", title: "Networks"))
            let renamed = try await repositories.courses.upsert(
                Course(platformID: seed.platform.id, deploymentID: "dep", contextID: "ctx-1", title: "Networks 2026"))
            #expect(renamed.id == course.id)
            #expect(renamed.title == "Networks 2026")
            // Context ids are unique per platform: another deployment of the same course is the same course.
            let sameCourse = try await repositories.courses.upsert(
                Course(platformID: seed.platform.id, deploymentID: "dep-2", contextID: "ctx-1", title: "Networks 2026"))
            #expect(sameCourse.id == course.id)
            let other = try await repositories.courses.upsert(
                Course(platformID: seed.platform.id, deploymentID: "dep", contextID: "ctx-2", title: "Elsewhere"))
            #expect(other.id != course.id)

            let activity = try await repositories.courses.upsertActivity(Activity(courseID: course.id, resourceLinkID: "rl-1", title: "Lab 1"))
            #expect(activity.environmentID == nil)
            #expect(try await repositories.courses.bind(activity.id, to: seed.environment.id))
            let relaunched = try await repositories.courses.upsertActivity(Activity(courseID: course.id, resourceLinkID: "rl-1", title: "Lab 1 (new)"))
            #expect(relaunched.id == activity.id)
            #expect(relaunched.environmentID == seed.environment.id)
            #expect(relaunched.title == "Lab 1 (new)")
            #expect(try await repositories.courses.activities(of: course.id) == [relaunched])
            #expect(try await repositories.courses.bind(ActivityID("missing"), to: nil) == false)
            await #expect(throws: StoreError.self) {
                try await repositories.courses.bind(activity.id, to: EnvironmentID("missing"))
            }
        }
    }

    @Test("the latest launch sets a person's role in a course", arguments: RelationalEngine.underTest)
    func enrollments(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let course = try await repositories.courses.upsert(Course(platformID: seed.platform.id, deploymentID: "d", contextID: "c", title: "C"))
            #expect(try await repositories.courses.role(of: seed.user.id, in: course.id) == nil)
            try await repositories.courses.enroll(seed.user.id, in: course.id, as: .student)
            try await repositories.courses.enroll(seed.user.id, in: course.id, as: .student)
            #expect(try await repositories.courses.role(of: seed.user.id, in: course.id) == .student)
            try await repositories.courses.enroll(seed.user.id, in: course.id, as: .teacher)
            #expect(try await repositories.courses.role(of: seed.user.id, in: course.id) == .teacher)
            let activity = try await repositories.courses.upsertActivity(Activity(courseID: course.id, resourceLinkID: "r", title: "R"))
            #expect(try await repositories.courses.activity(id: activity.id) == activity)
            #expect(try await repositories.courses.activity(id: ActivityID("missing")) == nil)
        }
    }

    @Test("environments are saved by name, and removing one unbinds its activities", arguments: RelationalEngine.underTest)
    func environments(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let updated = try await repositories.environments.save(Environment(name: "linux-101", title: "Linux 101 (v2)", specification: #"{"cores":2}"#))
            #expect(updated.id == seed.environment.id)
            #expect(updated.specification == #"{"cores":2}"#)
            #expect(try await repositories.environments.list().map(\.name) == ["linux-101"])

            let course = try await repositories.courses.upsert(Course(platformID: seed.platform.id, deploymentID: "d", contextID: "c", title: "C"))
            let activity = try await repositories.courses.upsertActivity(
                Activity(courseID: course.id, resourceLinkID: "r", title: "R", environmentID: updated.id))
            #expect(activity.environmentID == updated.id)
            #expect(try await repositories.environments.remove(id: updated.id))
            #expect(try await repositories.courses.activity(courseID: course.id, resourceLinkID: "r")?.environmentID == nil)
            #expect(try await repositories.environments.find(name: "linux-101") == nil)
        }
    }

    @Test("an environment with lab instances cannot be removed", arguments: RelationalEngine.underTest)
    func environmentInUse(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            _ = try await repositories.instances.findOrCreate(LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
            await #expect(throws: StoreError.self) { _ = try await repositories.environments.remove(id: seed.environment.id) }
            #expect(try await repositories.environments.find(id: seed.environment.id) != nil)
        }
    }
}
