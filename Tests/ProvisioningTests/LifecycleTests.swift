import Foundation
import LabCore
import PVESim
import Testing

@testable import Provisioning

/// The lab-instance lifecycle against PVESim: from a request to a ready VM and back.
@Suite struct LifecycleTests {
    @Test func aRequestBecomesAReadyConfiguredVMWithACleanSnapshot() async throws {
        try await LifecycleTestbed.run { bed in
            let instance = try await bed.provision()
            #expect(instance.state == .ready, "\(instance.failureReason ?? "")")
            let vmid = try #require(instance.vmid)
            let node = try #require(instance.node)
            #expect(LifecycleTestbed.settings.vmidRange.contains(vmid))
            #expect(instance.address?.hasPrefix("198.18.") == true)
            #expect(instance.guestPassword?.count == 20)
            #expect(instance.expiresAt.map { $0.timeIntervalSince(instance.createdAt) } ?? 0 >= 240 * 60 - 5)

            let clone = try #require(bed.clones.first)
            #expect(bed.clones.count == 1)
            #expect(clone.vmid == vmid && clone.node == node && clone.running)
            #expect(clone.pool == "labgate")
            #expect(clone.snapshots == ["clean"])
            let config = try await bed.sim.client.config(node: node, vmid: vmid)
            #expect(config["tags"] == "labgate;course-101")
            #expect(config["cores"] == "2" && config["memory"] == "2048")
            #expect(config["ciuser"] == "student")
            #expect(config["net0"]?.contains("bridge=vmbr1") == true && config["net0"]?.hasSuffix("tag=42") == true)
            #expect(config["description"] == "LabGate lab instance \(instance.id)")

            let steps = try await bed.repositories.instances.steps(of: instance.id)
            // Each state the instance passed through is a step of its own, around the calls it made.
            #expect(
                Set(steps.map(\.name)) == [
                    "requested", "allocating", "cloning", "clone", "configuring", "starting", "start", "waiting-for-address", "address", "snapshot", "publish",
                ])
            #expect(steps.allSatisfy { $0.outcome == .succeeded })
            #expect(steps.first { $0.name == "clone" }?.reference?.hasPrefix("UPID:") == true, "the clone's UPID was saved")
            #expect(try await bed.repositories.reservations.held(kind: "vmid", by: .instance(instance.id)).map(\.value) == [vmid])
        }
    }

    @Test func twentySimultaneousRequestsMakeOneInstanceAndOneVM() async throws {
        try await LifecycleTestbed.run { bed in
            let ids = try await withThrowingTaskGroup(of: LabInstanceID.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let (instance, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
                        try await bed.lifecycle.advance(instance.id)
                        return instance.id
                    }
                }
                return try await group.reduce(into: Set<LabInstanceID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let instance = try await bed.repositories.instances.find(id: try #require(ids.first))
            #expect(instance?.state == .ready)
            #expect(bed.clones.count == 1)
        }
    }

    @Test func stopStartResetAndDeleteDoWhatTheySay() async throws {
        try await LifecycleTestbed.run { bed in
            var instance = try await bed.provision()
            let vmid = try #require(instance.vmid)

            instance = try await bed.perform(.stop, on: instance)
            #expect(instance.state == .stopped && instance.address == nil)
            #expect(bed.clones.first?.running == false)

            instance = try await bed.perform(.start, on: instance)
            #expect(instance.state == .ready && instance.address != nil)
            #expect(bed.clones.first?.running == true)

            let resetsBefore = bed.sim.cluster.taskCounts().started
            instance = try await bed.perform(.reset, on: instance)
            #expect(instance.state == .ready)
            #expect(bed.sim.cluster.taskCounts().started > resetsBefore)
            #expect(try await bed.repositories.instances.steps(of: instance.id).contains { $0.name == "reset" && $0.outcome == .succeeded })

            instance = try await bed.perform(.delete, on: instance)
            #expect(instance.state == .deleted)
            #expect(bed.clones.isEmpty)
            #expect(try await bed.sim.client.guest(vmid: vmid) == nil)
            #expect(try await bed.repositories.reservations.held(kind: "vmid", by: .instance(instance.id)).isEmpty)

            await #expect(throws: ProvisioningError.notAllowed(operation: "start", state: "deleted")) {
                _ = try await bed.operations.perform(.start, on: instance.id)
            }
        }
    }

    @Test func aDeleteWhileCloningWaitsForTheCloneAndLeavesNothing() async throws {
        let configuration = SimTestbed.configuration { $0.storages[0].linkedCloneSeconds = 300 }  // 0.3 s here
        try await LifecycleTestbed.run(configuration) { bed in
            let (instance, _) = try await bed.operations.request(userID: bed.student, environmentName: "linux")
            let worker = Task { try await bed.lifecycle.advance(instance.id) }
            while try await bed.reload(instance).state != .cloning || bed.clones.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            _ = try await bed.operations.perform(.delete, on: instance.id)
            try await worker.value
            try await bed.lifecycle.advance(instance.id)
            #expect(try await bed.reload(instance).state == .deleted)
            #expect(bed.clones.isEmpty)
        }
    }

    @Test func clonesSpreadOverNodesAndSkipADownOne() async throws {
        try await LifecycleTestbed.run(
            SimTestbed.configuration { sim in
                sim = SimConfiguration.small(nodeCount: 3, token: SimTestbed.token, timeScale: 1000)
            }
        ) { bed in
            bed.sim.cluster.faults.downNodes = ["pve3"]
            var nodes: [String] = []
            for index in 0..<4 {
                let user = try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s\(index)")
                let instance = try await bed.provision(user)
                #expect(instance.state == .ready, "\(instance.failureReason ?? "")")
                nodes.append(try #require(instance.node))
            }
            #expect(Set(nodes) == ["pve1", "pve2"], "running VMs load a node, so the next goes to the other")
        }
    }
}

/// Environments of several VMs: all cloned onto one node, started, snapshotted, stopped and
/// destroyed together; students connect to the first.
@Suite struct MultiVMLifecycleTests {
    static let configuration = SimTestbed.configuration { sim in
        sim.templates.append(SimTemplateSpec(vmid: 9001, name: "router", node: "pve1", storage: "shared", cores: 1, memoryMiB: 512))
    }

    static let environment = EnvironmentSpec(
        name: "linux", title: "Client and router",
        vms: [
            VMSpec(template: 9000, network: NetworkSpec(bridge: "vmbr1", vlan: .perStudent(2000...2009))),
            VMSpec(template: 9001, network: NetworkSpec(bridge: "vmbr1", vlan: .perStudent(2000...2009))),
        ])

    @Test func everyVMIsMadeOnOneNodeAndGoesTogether() async throws {
        try await LifecycleTestbed.run(Self.configuration, environment: Self.environment) { bed in
            var instance = try await bed.provision()
            #expect(instance.state == .ready, "\(instance.failureReason ?? "")")
            #expect(instance.companionVMIDs.count == 1)
            let clones = bed.clones
            #expect(clones.count == 2)
            #expect(Set(clones.map(\.vmid)) == Set(instance.vmids))
            let node = try #require(instance.node)
            #expect(Set(clones.map(\.node)) == [node], "a lab's VMs share a node")
            #expect(clones.allSatisfy { $0.running && $0.snapshots == ["clean"] })
            let tags = try await bed.repositories.reservations.held(kind: "vlan", by: .instance(instance.id)).map(\.value)
            #expect(tags.count == 1)
            for vmid in instance.vmids {
                #expect(try await bed.sim.client.config(node: node, vmid: vmid)["net0"]?.hasSuffix("tag=\(tags[0])") == true)
            }
            let steps = Set(try await bed.repositories.instances.steps(of: instance.id).map(\.name))
            #expect(steps.isSuperset(of: ["clone", "clone vm2", "start", "start vm2", "snapshot", "snapshot vm2"]))
            let router = try #require(clones.first { $0.vmid == instance.companionVMIDs[0] })
            #expect(router.name.hasSuffix("-vm2"))

            instance = try await bed.perform(.stop, on: instance)
            #expect(instance.state == .stopped && bed.clones.allSatisfy { !$0.running })
            instance = try await bed.perform(.reset, on: instance)
            #expect(instance.state == .ready && bed.clones.allSatisfy(\.running))

            instance = try await bed.perform(.delete, on: instance)
            #expect(instance.state == .deleted && bed.clones.isEmpty)
            #expect(try await bed.repositories.reservations.held(kind: "vmid", by: .instance(instance.id)).isEmpty)
        }
    }

    @Test func aFailureInTheSecondVMRemovesTheFirstToo() async throws {
        // The second clone asks for a storage the cluster does not have: PVE refuses it after the first clone is made.
        let broken = EnvironmentSpec(name: "linux", vms: [VMSpec(template: 9000), VMSpec(template: 9001, storage: "missing", clone: .full)])
        try await LifecycleTestbed.run(Self.configuration, environment: broken) { bed in
            let instance = try await bed.provision()
            #expect(instance.state == .failed)
            #expect(instance.failureReason?.contains("storage 'missing' does not exist") == true, "\(instance.failureReason ?? "")")
            #expect(bed.clones.isEmpty, "the first clone was destroyed too")
            #expect(instance.vmids.isEmpty)
            #expect(try await bed.repositories.reservations.held(kind: "vmid", by: .instance(instance.id)).isEmpty)
        }
    }

    @Test func aLabsVMsMustFitOneNode() {
        let split = EnvironmentSpec(name: "split", vms: [VMSpec(template: 9000, node: "pve1"), VMSpec(template: 9001, node: "pve2")])
        #expect(split.problems == ["every VM of a lab runs on one node, but vms pin pve1 and pve2"])
        let crowded = EnvironmentSpec(name: "crowded", vms: Array(repeating: VMSpec(template: 9000), count: 9))
        #expect(crowded.problems == ["vms must list 1 to 8 VMs (the first is the one students connect to)"])
    }
}

/// VLANs: one per student, or one per course shared by its students.
@Suite struct VLANTests {
    static let perCourse = EnvironmentSpec(
        name: "linux", vms: [VMSpec(template: 9000, network: NetworkSpec(bridge: "vmbr2", vlan: .perCourse(3000...3009)))])

    @Test func aCoursesStudentsShareItsVLANAndAnotherCourseGetsItsOwn() async throws {
        try await LifecycleTestbed.run(environment: Self.perCourse) { bed in
            let courseA = CourseID.random()
            let courseB = CourseID.random()
            var users: [UserID] = [bed.student]
            for index in 0..<4 { users.append(try await LifecycleTestbed.makeStudent(bed.repositories, subject: "s\(index)")) }
            let students = users
            let courses = [courseA, courseA, courseA, courseA, courseB]
            let instances = try await withThrowingTaskGroup(of: LabInstance.self) { group in
                for (user, course) in zip(students, courses) {
                    group.addTask {
                        let (instance, _) = try await bed.operations.request(userID: user, environmentName: "linux", courseID: course)
                        try await bed.lifecycle.advance(instance.id)
                        return try await bed.reload(instance)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(instances.allSatisfy { $0.state == .ready }, "\(instances.compactMap(\.failureReason))")
            var tags: [CourseID: Set<String>] = [:]
            for instance in instances {
                let net0 = try await bed.sim.client.config(node: try #require(instance.node), vmid: try #require(instance.vmid))["net0"] ?? ""
                tags[try #require(instance.courseID), default: []].insert(String(net0.split(separator: ",").last { $0.hasPrefix("tag=") } ?? ""))
            }
            #expect(tags[courseA]?.count == 1, "four students of one course, started at once, share one tag: \(tags)")
            #expect(tags[courseB]?.count == 1)
            #expect(tags[courseA] != tags[courseB])
            #expect(try await bed.repositories.reservations.held(kind: "vlan", by: .course(courseA)).count == 1)
        }
    }

    @Test func aLabWithACourseVLANNeedsACourse() async throws {
        try await LifecycleTestbed.run(environment: Self.perCourse) { bed in
            let instance = try await bed.provision()
            #expect(instance.state == .failed)
            #expect(instance.failureReason?.contains("requested through a course's launch") == true)
        }
    }
}
