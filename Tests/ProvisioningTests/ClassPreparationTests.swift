import Foundation
import GuacBridge
import LabCore
import Logging
import PVESim
import Storage
import Testing

@testable import Provisioning

/// Labs prepared for a class against PVESim: spares claimed by students, never twice; the
/// preparer's phases, on a clock the test moves (clone early, power on just in time, shrink
/// the spares, remove what nobody took).
@Suite struct ClassPreparationTests {
    /// Four nodes: a hundred labs of 2 GiB fit with room to spare.
    static let cluster = SimConfiguration.small(nodeCount: 4, token: SimTestbed.token, timeScale: 1000)

    /// A course of the testbed student's platform, and the environment `linux`.
    static func course(_ bed: LifecycleTestbed) async throws -> (Course, Environment) {
        let platform = try #require(try await bed.repositories.users.find(id: bed.student)).platformID
        let course = try await bed.repositories.courses.upsert(Course(platformID: platform, deploymentID: "1", contextID: "net-101", title: "Networks"))
        let environment = try #require(try await bed.repositories.environments.find(name: "linux"))
        return (course, environment)
    }

    /// How many of `labs` have a connection in Guacamole's tables.
    static func published(_ labs: [LabInstance], _ bed: LifecycleTestbed) async throws -> Int {
        var count = 0
        for lab in labs where try await bed.guacamole.connectionID(named: lab.id.rawValue, in: GuacBridgeSettings().group) != nil { count += 1 }
        return count
    }

    /// A class with `spares` spares starting in ten seconds (its labs power on as soon as they
    /// are made), and the placeholder user its spares belong to.
    static func classStartingNow(spares: Int, course: Course, environment: Environment, _ bed: LifecycleTestbed) async throws -> (ClassSession, User) {
        let session = ClassSession(
            courseID: course.id, environmentID: environment.id, startsAt: Date().addingTimeInterval(10), endsAt: Date().addingTimeInterval(3600),
            spares: spares, spareBuffer: spares, createdAt: Date())
        try await bed.repositories.classSessions.add(session)
        return (session, try await bed.repositories.users.upsert(User(platformID: course.platformID, subject: ClassPreparer.spareOwnerSubject)))
    }

    static func students(_ count: Int, of course: Course, _ bed: LifecycleTestbed) async throws -> [UserID] {
        var students: [UserID] = []
        for index in 0..<count {
            students.append(try await bed.repositories.users.upsert(User(platformID: course.platformID, subject: "s\(index)")).id)
        }
        return students
    }

    @Test func aSpareWhosePasswordCannotBeSetIsDestroyedAndTheStudentGetsAFreshClone() async throws {
        try await LifecycleTestbed.run(Self.cluster) { bed in
            let (course, environment) = try await Self.course(bed)
            let (session, owner) = try await Self.classStartingNow(spares: 1, course: course, environment: environment, bed)
            let spare = try #require(try await bed.operations.prepareLab(for: owner.id, spare: true, of: session, environment: environment))
            try await bed.lifecycle.advance(spare.id)
            let spareVM = try #require(try await bed.reload(spare).vmid)

            bed.sim.cluster.faults = SimFaults(calls: [SimCallFault(path: "/agent/set-user-password", trouble: .agentSilent, times: 2)])
            let student = try #require(try await Self.students(1, of: course, bed).first)
            let (lab, _) = try await bed.operations.request(LabRequest(userID: student, environment: environment, courseID: course.id))
            #expect(lab.id == spare.id && lab.state == .claiming)
            try await bed.lifecycle.advance(lab.id)
            let ready = try await bed.reload(lab)
            #expect(ready.state == .ready && ready.userID == student)
            #expect(ready.vmid != spareVM, "the student got a fresh clone")
            #expect(!bed.clones.contains { $0.vmid == spareVM }, "the spare the agent did not answer for is destroyed, never handed out")
            #expect(try await bed.repositories.instances.steps(of: lab.id).contains { $0.name == "password" && $0.outcome == .failed })
        }
    }

    @Test func thePreparerClonesEarlyPowersOnJustInTimeShrinksTheSparesAndRemovesWhatNobodyTook() async throws {
        try await LifecycleTestbed.run { bed in
            let (course, environment) = try await Self.course(bed)
            let start = Date().addingTimeInterval(3600)
            let clock = TestClock(start.addingTimeInterval(-3600))
            let lifecycle = LabLifecycle(
                proxmox: bed.sim.client, repositories: bed.repositories, ephemeral: bed.ephemeral, desktops: bed.lifecycle.desktops,
                settings: bed.lifecycle.settings, clock: clock, logger: bed.lifecycle.logger)
            let operations = LabOperations(repositories: bed.repositories, queue: bed.queue, clock: clock)
            let reconciler = Reconciler(
                lifecycle: lifecycle, operations: operations,
                preparer: ClassPreparer(lifecycle: lifecycle, operations: operations, repositories: bed.repositories), lockTTL: .seconds(60))
            let roster = (0..<6).map {
                Enrolment(subject: "s\($0)", name: "Student \($0)", roles: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
            }
            _ = try await bed.repositories.enrolments.replace(courseID: course.id, with: roster, at: clock.now())
            let session = ClassSession(
                courseID: course.id, environmentID: environment.id, startsAt: start, endsAt: start.addingTimeInterval(3600), attendancePercent: 50,
                spares: 2, spareBuffer: 0, createdAt: clock.now())
            try await bed.repositories.classSessions.add(session)
            func pass() async throws -> ClassPreparer.Report {
                let report = try #require(try await reconciler.prepareClasses(holder: "test"))
                for lab in try await bed.repositories.instances.list(courseID: course.id) { try await lifecycle.advance(lab.id) }
                return report
            }
            func labs() async throws -> [LabInstance] { try await bed.repositories.instances.list(courseID: course.id) }

            // Nothing measured yet: a clone is taken as 60 s and a boot as 90 s. They power on a boot and a quarter
            // (112.5 s), 30 s and a preparer's tick (5 s) before the class: 147.5 s. 2 nodes clone one lab each at
            // once (the other slot is live launches'), so 5 labs take 3 rounds of 75 s and a tick, and a minute more:
            // cloning starts 447.5 s before the class.
            #expect(try await pass().prepared == 0, "an hour ahead is too early")
            clock.advance(3600 - 450)
            #expect(try await pass() == ClassPreparer.Report(), "cloning starts 447.5 s ahead")
            clock.advance(5)
            var report = try await pass()
            #expect(report.prepared == 2 && report.spares == 0, "two at a time, the roster's first: \(report)")
            for _ in 0..<5 where try await labs().count < 5 {
                report = try await pass()
                #expect(report.prepared + report.spares <= 2, "\(report)")
            }
            var prepared = try await labs()
            #expect(prepared.filter(\.isSpare).count == 2 && prepared.filter { !$0.isSpare }.count == 3, "half the roster of 6, and 2 spares")
            #expect(prepared.allSatisfy { $0.state == .stopped && $0.preparedFor == session.id }, "cloned, configured, and held stopped until their time")
            #expect(bed.clones.allSatisfy { !$0.running })

            clock.advance(445 - 147.5 - 5)
            #expect(try await pass().poweredOn == 0)
            clock.advance(10)
            #expect(try await pass().poweredOn == 5)
            prepared = try await labs()
            #expect(prepared.allSatisfy { $0.state == .ready }, "online before the class: \(prepared.map(\.state))")
            #expect(bed.clones.allSatisfy { $0.running })

            // At the class: a roster student opens their prepared lab; someone not on it claims a spare.
            clock.advance(200)
            let onRoster = try #require(prepared.first { !$0.isSpare })
            let (own, created) = try await operations.request(LabRequest(userID: onRoster.userID, environment: environment, courseID: course.id, resume: true))
            #expect(!created && own.id == onRoster.id && own.state == .ready && own.preparedFor == nil, "their lab is there, ready, and now theirs")
            let latecomer = try await bed.repositories.users.upsert(User(platformID: course.platformID, subject: "latecomer"))
            let (spare, _) = try await operations.request(LabRequest(userID: latecomer.id, environment: environment, courseID: course.id))
            #expect(spare.state == .claiming && prepared.contains { $0.id == spare.id && $0.isSpare })
            try await lifecycle.advance(spare.id)
            #expect(try await bed.reload(spare).state == .ready)

            clock.advance(ClassSession.shrinkAfter)
            report = try await pass()
            #expect(report.sparesRemoved == 1 && report.prepared == 0 && report.spares == 0, "after 15 minutes the spares shrink to the buffer (none)")

            clock.advance(3600)
            report = try await pass()
            #expect(report.unclaimedRemoved == 2, "the two prepared labs nobody opened go after the class: \(report)")
            let left = try await labs()
            #expect(Set(left.map(\.id)) == [own.id, spare.id], "the labs students took stay theirs")
            #expect(try await bed.repositories.classSessions.unfinished().isEmpty)
        }
    }

    @Test func labsPreparedWhileStudentsLaunchStayWithinTheCoursesQuota() async throws {
        try await LifecycleTestbed.run(Self.cluster) { bed in
            let (course, environment) = try await Self.course(bed)
            try await bed.repositories.quotas.save(Quota(scope: .course(course.id), instances: 3))
            let (session, _) = try await Self.classStartingNow(spares: 0, course: course, environment: environment, bed)
            let students = try await Self.students(12, of: course, bed)
            // Half the class is prepared for while the other half launches, all at once.
            let made = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, student) in students.enumerated() {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            return try await bed.operations.prepareLab(for: student, spare: false, of: session, environment: environment) != nil
                        }
                        do {
                            return try await bed.operations.request(LabRequest(userID: student, environment: environment, courseID: course.id)).created
                        } catch is LaunchRefusal {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(made == 3)
            #expect(try await bed.repositories.instances.usage(of: .course(course.id)).instances == 3)
        }
    }

    @Test func aSpareThatFailsIsReplacedAndOneClaimedMeanwhileIsNeverRemoved() async throws {
        try await LifecycleTestbed.run { bed in
            let (course, environment) = try await Self.course(bed)
            let (session, _) = try await Self.classStartingNow(spares: 2, course: course, environment: environment, bed)
            let reconciler = IdlePausingTests.reconciler(bed, clock: SystemClock())
            func pass() async throws -> ClassPreparer.Report {
                let report = try #require(try await reconciler.prepareClasses(holder: "test"))
                for lab in try await bed.repositories.instances.list(courseID: course.id) { try await bed.lifecycle.advance(lab.id) }
                return report
            }
            #expect(try await pass().spares == 2)
            let spares = try await bed.repositories.instances.list(preparedFor: session.id)
            #expect(spares.count == 2 && spares.allSatisfy { $0.state == .ready })

            // Its node went down, say: the spare failed. It is removed and another made.
            try await bed.lifecycle.fail(spares[0].id, reason: "its VM vanished from Proxmox")
            #expect(try await pass().spares == 1)
            #expect(try await bed.reload(spares[0]).state == .deleted)
            let now = try await bed.repositories.instances.list(preparedFor: session.id)
            #expect(now.count == 2 && now.allSatisfy { $0.state == .ready && $0.id != spares[0].id })

            // A student claims a spare between the preparer's look and its removal: theirs stays.
            let student = try #require(try await Self.students(1, of: course, bed).first)
            let (claimed, _) = try await bed.operations.request(LabRequest(userID: student, environment: environment, courseID: course.id))
            #expect(try await bed.operations.removeUnclaimed(claimed.id, of: session.id) == false)
            #expect(try await bed.reload(claimed).state == .claiming)
            let other = try #require(now.first { $0.id != claimed.id })
            #expect(try await bed.operations.removeUnclaimed(other.id, of: session.id))
        }
    }
}
