import Foundation
import LabCore
import Storage
import TestSupport
import Testing

@Suite("Lab instance repository")
struct LabInstanceRepositoryTests {
    @Test("twenty simultaneous launches of one student make one instance", arguments: RelationalEngine.underTest)
    func doubleClickMakesOneInstance(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let results = try await withThrowingTaskGroup(of: (LabInstanceID, Bool).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let result = try await repositories.instances.findOrCreate(
                            LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
                        return (result.instance.id, result.created)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.0)).count == 1)
            #expect(results.filter(\.1).count == 1)
        }
    }

    @Test("saves are compare-and-set on the version: the slower writer gets a conflict", arguments: RelationalEngine.underTest)
    func optimisticLocking(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let (instance, _) = try await repositories.instances.findOrCreate(
                LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
            var first = instance
            try first.transition(to: .allocating, at: t0)
            first.vmid = 4100
            first.node = "pve1"
            let saved = try await repositories.instances.save(first)
            #expect(saved.version == instance.version + 1)

            var stale = instance
            try stale.transition(to: .failed, at: t0, reason: "too late")
            await #expect(throws: StoreError.self) { _ = try await repositories.instances.save(stale) }

            let stored = try #require(try await repositories.instances.find(id: instance.id))
            #expect(stored == saved)
            #expect(stored.vmid == 4100)
        }
    }

    @Test("a deleted instance frees the slot: the next launch creates a new one", arguments: RelationalEngine.underTest)
    func deletedInstanceFreesSlot(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            var (instance, _) = try await repositories.instances.findOrCreate(
                LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
            try instance.transition(to: .deleting, at: t0)
            instance = try await repositories.instances.save(instance)
            try instance.transition(to: .deleted, at: t0)
            instance = try await repositories.instances.save(instance)

            let next = try await repositories.instances.findOrCreate(LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
            #expect(next.created)
            #expect(next.instance.id != instance.id)
            #expect(try await repositories.instances.list(userID: seed.user.id).count == 2)
            #expect(try await repositories.instances.list(states: [.deleted], limit: 10).map(\.id) == [instance.id])
            #expect(try await repositories.instances.list(states: [.requested, .ready], limit: 10).map(\.id) == [next.instance.id])
        }
    }

    @Test("steps are recorded once per name and updated in place", arguments: RelationalEngine.underTest)
    func steps(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let seed = try await Seed.make(in: repositories)
            let (instance, _) = try await repositories.instances.findOrCreate(
                LabInstance(userID: seed.user.id, environmentID: seed.environment.id, createdAt: t0))
            var clone = LabInstanceStep(instanceID: instance.id, name: "clone", reference: "UPID:pve1:0001", startedAt: t0)
            try await repositories.instances.record(clone)
            clone.outcome = .succeeded
            clone.finishedAt = t0.addingTimeInterval(42)
            try await repositories.instances.record(clone)
            let start = LabInstanceStep(instanceID: instance.id, name: "start", startedAt: t0.addingTimeInterval(43))
            try await repositories.instances.record(start)

            #expect(try await repositories.instances.steps(of: instance.id) == [clone, start])
            await #expect(throws: StoreError.self) {
                try await repositories.instances.record(LabInstanceStep(instanceID: LabInstanceID("ghost"), name: "clone", startedAt: t0))
            }
        }
    }
}

@Suite("Audit log and job ledger")
struct AuditAndLedgerTests {
    @Test("events come back newest first with increasing sequence numbers", arguments: RelationalEngine.underTest)
    func auditOrder(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let first = try await repositories.audit.append(AuditEvent(at: t0, actor: "admin", action: "platform.add", subject: "platform/1"))
            let second = try await repositories.audit.append(
                AuditEvent(
                    at: t0, actor: "teacher", action: "activity.bind", subject: "activity/9", detail: "linux-101", courseID: CourseID("c-1"),
                    address: "192.0.2.7", outcome: .refused))
            #expect(try #require(first.sequence) < #require(second.sequence))
            let audit = repositories.audit
            #expect(try await audit.list(AuditFilter(), before: nil, limit: 10) == [second, first])
            #expect(try await audit.list(AuditFilter(subject: "activity/9"), before: nil, limit: 10) == [second])
            #expect(try await audit.list(AuditFilter(courseID: CourseID("c-1")), before: nil, limit: 10) == [second])
            #expect(try await audit.list(AuditFilter(actor: "admin"), before: nil, limit: 10) == [first])
            #expect(try await audit.list(AuditFilter(), before: nil, limit: 1) == [second])
            #expect(try await audit.list(AuditFilter(), before: second.sequence, limit: 10) == [first])
        }
    }

    @Test("concurrent appends each get their own sequence number", arguments: RelationalEngine.underTest)
    func concurrentAppends(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let sequences = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for index in 0..<20 {
                    group.addTask { try await repositories.audit.append(AuditEvent(at: t0, actor: "a", action: "x", subject: "s\(index)")).sequence }
                }
                return try await group.reduce(into: Set<Int64?>()) { $0.insert($1) }
            }
            #expect(sequences.count == 20)
        }
    }

    @Test("a job is recorded once per idempotency key and finished in place", arguments: RelationalEngine.underTest)
    func ledger(engine: RelationalEngine) async throws {
        try await engine.withRepositories { (repositories) async throws in
            let job = JobRecord(key: "provision/u1/e1", jobID: .random(), kind: "provision", createdAt: t0)
            #expect(try await repositories.jobs.record(job))
            var again = job
            again.jobID = .random()
            #expect(try await repositories.jobs.record(again) == false)
            #expect(try await repositories.jobs.find(key: job.key) == job)

            let finishedAt = t0.addingTimeInterval(5)
            #expect(try await repositories.jobs.finish(key: job.key, outcome: .failed, attempts: 3, error: "clone failed", at: finishedAt))
            let stored = try #require(try await repositories.jobs.find(key: job.key))
            #expect(stored.outcome == .failed)
            #expect(stored.attempts == 3)
            #expect(stored.error == "clone failed")
            #expect(stored.updatedAt == finishedAt)
            #expect(try await repositories.jobs.finish(key: "unknown", outcome: .succeeded, attempts: 1, error: nil, at: t0) == false)
        }
    }
}
