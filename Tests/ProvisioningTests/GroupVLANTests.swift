import Foundation
import LabCore
import PVESim
import Synchronization
import Testing

@testable import Provisioning

/// Team labs: the members of a course's group share one VLAN, each group its own.
@Suite struct GroupVLANTests {
    static let perGroup = EnvironmentSpec(
        name: "linux", vms: [VMSpec(template: 9000, network: NetworkSpec(bridge: "vmbr2", vlan: .perGroup(3100...3109)))])

    @Test func aGroupsMembersShareATagAndAStudentInNoGroupHasOneOfTheirOwn() async throws {
        let groups = TestCourseGroups()
        try await LifecycleTestbed.run(environment: Self.perGroup, groups: groups) { bed in
            let course = CourseID.random()
            var students = [bed.student]
            for index in 0..<3 { students.append(try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s\(index)")) }
            let red = CourseGroup(id: "7", name: "Red team")
            groups.place([students[0]: red, students[1]: red, students[2]: CourseGroup(id: "8", name: "Blue team")])
            let instances = try await withThrowingTaskGroup(of: LabInstance.self) { tasks in
                for user in students {
                    tasks.addTask {
                        let (instance, _) = try await bed.operations.request(userID: user, environmentName: "linux", courseID: course)
                        try await bed.lifecycle.advance(instance.id)
                        return try await bed.reload(instance)
                    }
                }
                return try await tasks.reduce(into: [UserID: LabInstance]()) { $0[$1.userID] = $1 }
            }
            #expect(instances.values.allSatisfy { $0.state == .ready }, "\(instances.values.compactMap(\.failureReason))")
            var tags: [UserID: Int] = [:]
            for (user, instance) in instances { tags[user] = try await bed.vlanTag(of: instance) }
            #expect(tags[students[0]] != nil && tags[students[0]] == tags[students[1]], "one group, one network: \(tags)")
            #expect(Set(tags.values).count == 3, "another group and a student in none have tags of their own: \(tags)")
            #expect(try await bed.repositories.reservations.held(kind: "vlan", by: .group(course, "7")).map(\.value) == [tags[students[0]]!])

            // The student in no group gave their tag back with their lab; the group keeps its own.
            let loner = try #require(instances[students[3]])
            #expect(try await bed.perform(.delete, on: loner).state == .deleted)
            #expect(try await bed.repositories.reservations.held(kind: "vlan", by: .instance(loner.id)).isEmpty)
            #expect(try await bed.perform(.delete, on: try #require(instances[students[0]])).state == .deleted)
            #expect(try await bed.repositories.reservations.held(kind: "vlan", by: .group(course, "7")).count == 1)
        }
    }

    @Test func aPlatformAwayDelaysTheLabAndOneThatRefusesFailsItWithTheReason() async throws {
        let groups = TestCourseGroups()
        try await LifecycleTestbed.run(environment: Self.perGroup, groups: groups) { bed in
            let course = CourseID.random()
            groups.place([bed.student: CourseGroup(id: "7", name: "Red team")])
            groups.fail(with: CourseGroupsError("Moodle's web services do not answer: connection refused", isTransient: true))
            let (waiting, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux", courseID: course)
            await #expect(throws: CourseGroupsError.self) { try await bed.lifecycle.advance(waiting.id) }
            #expect(try await bed.reload(waiting).state == .allocating, "the job comes back later")
            groups.fail(with: nil)
            try await bed.lifecycle.advance(waiting.id)
            #expect(try await bed.reload(waiting).state == .ready)

            let other = try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s9")
            groups.fail(with: CourseGroupsError("the web-service token may not call core_enrol_get_enrolled_users", isTransient: false))
            let (refused, _) = try await bed.operations.request(userID: other, environmentName: "linux", courseID: course)
            try await bed.lifecycle.advance(refused.id)
            let failed = try await bed.reload(refused)
            #expect(failed.state == .failed)
            #expect(failed.failureReason?.contains("may not call core_enrol_get_enrolled_users") == true, "\(failed.failureReason ?? "")")
            #expect(bed.clones.count == 1, "nothing was cloned for the refused lab")
        }
    }

    @Test func withoutAPlatformToAskTheLabFailsSayingWhy() async throws {
        try await LifecycleTestbed.run(environment: Self.perGroup) { bed in
            let (instance, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux", courseID: CourseID.random())
            try await bed.lifecycle.advance(instance.id)
            let failed = try await bed.reload(instance)
            #expect(failed.state == .failed)
            #expect(failed.failureReason?.contains("no platform to ask") == true, "\(failed.failureReason ?? "")")
        }
    }

    @Test func theRangeSaysPerGroup() throws {
        let text = #"{"name":"g","vms":[{"template":9000,"network":{"bridge":"b","vlan":{"from":3100,"to":3109,"per":"group"}}}]}"#
        let spec = try JSONDecoder().decode(EnvironmentSpec.self, from: Data(text.utf8))
        #expect(spec.primary.network?.vlan == .perGroup(3100...3109))
        let again = try JSONDecoder().decode(EnvironmentSpec.self, from: try JSONEncoder().encode(spec))
        #expect(again.primary.network?.vlan == .perGroup(3100...3109))
        #expect(ReservationHolder(ReservationHolder.group(CourseID("c1"), "7").description) == .group(CourseID("c1"), "7"))
    }
}

/// Groups as a test sets them, on a platform the test can send away.
final class TestCourseGroups: CourseGroups {
    private let state = Mutex<(members: [UserID: CourseGroup], failure: CourseGroupsError?)>(([:], nil))

    func place(_ members: [UserID: CourseGroup]) { state.withLock { $0.members.merge(members) { $1 } } }
    func fail(with error: CourseGroupsError?) { state.withLock { $0.failure = error } }

    func group(of user: UserID, in course: CourseID) async throws -> CourseGroup? {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.members[user]
        }
    }
}

extension LifecycleTestbed {
    /// The VLAN tag on the net0 of the instance's VM.
    func vlanTag(of instance: LabInstance) async throws -> Int? {
        let net0 = try await sim.client.config(node: instance.node!, vmid: instance.vmid!)["net0"] ?? ""
        return net0.split(separator: ",").first { $0.hasPrefix("tag=") }.flatMap { Int($0.dropFirst(4)) }
    }
}
