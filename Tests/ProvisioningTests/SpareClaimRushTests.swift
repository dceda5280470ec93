import Foundation
import GuacBridge
import LabCore
import Testing

@testable import Provisioning

/// A hundred students claiming thirty spares at once, against PVESim: a load test, run alone
/// (scripts/test.sh) so that its hundred clones do not slow the suite's timed waits.
@Suite struct SpareClaimRushTests {
    @Test func aHundredStudentsAtOnceClaimThirtySparesExactlyOnceAndTheOthersGetFreshClones() async throws {
        try await LifecycleTestbed.run(ClassPreparationTests.cluster) { bed in
            let (course, environment) = try await ClassPreparationTests.course(bed)
            let (session, owner) = try await ClassPreparationTests.classStartingNow(spares: 30, course: course, environment: environment, bed)
            let spares = try await withThrowingTaskGroup(of: LabInstance.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        let spare = try #require(try await bed.operations.prepareLab(for: owner.id, spare: true, of: session, environment: environment))
                        try await bed.lifecycle.advance(spare.id)
                        return try await bed.reload(spare)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(spares.allSatisfy { $0.state == .ready && $0.isSpare }, "\(spares.map(\.state))")
            #expect(try await ClassPreparationTests.published(spares, bed) == 0, "a spare is published for nobody until a student claims it")
            let spareIDs = Set(spares.map(\.id))
            let spareVMs = Set(spares.compactMap(\.vmid))

            let students = try await ClassPreparationTests.students(100, of: course, bed)
            let labs = try await withThrowingTaskGroup(of: (LabInstance, Bool).self) { group in
                for student in students {
                    group.addTask {
                        let (lab, created) = try await bed.operations.request(LabRequest(userID: student, environment: environment, courseID: course.id))
                        try await bed.lifecycle.advance(lab.id)
                        return (try await bed.reload(lab), created)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(labs.allSatisfy { $0.1 && $0.0.state == .ready }, "every student has a new lab, ready")
            let claimed = labs.filter { spareIDs.contains($0.0.id) }.map(\.0)
            #expect(claimed.count == 30, "exactly the 30 spares are claimed")
            #expect(labs.filter { !spareIDs.contains($0.0.id) }.count == 70, "the other 70 are fresh clones")
            #expect(Set(labs.map(\.0.userID)) == Set(students), "one lab per student")
            #expect(Set(labs.compactMap(\.0.vmid)).count == 100, "no VM twice")
            #expect(Set(claimed.compactMap(\.vmid)) == spareVMs)
            #expect(bed.clones.count == 100, "no VM made and left over")
            for lab in claimed {
                #expect(!lab.isSpare && lab.preparedFor == nil)
                let vmid = try #require(lab.vmid)
                #expect(
                    lab.guestPassword != nil && bed.sim.cluster.userPassword(vmid: vmid, username: "student") == lab.guestPassword,
                    "the claimer's own password is set in the guest")
            }
            #expect(try await ClassPreparationTests.published(labs.map(\.0), bed) == 100, "each student's desktop is published for them")
        }
    }
}
