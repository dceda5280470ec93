import Foundation
import LabCore
import Provisioning
import Storage
import Synchronization
import TestSupport
import Testing

/// One audit policy for every way of asking for a lab: an event that cannot be written is
/// reported (the wiring logs and counts it), and the lab asked for is still asked for.
@Suite("Lab requests and the audit trail")
struct LabRequestsAuditTests {
    /// An audit log whose writes all fail, as a full disk or a lost connection would make them.
    struct BrokenAuditLog: AuditLog {
        struct Failure: Error {}
        func append(_ event: AuditEvent) async throws -> AuditEvent { throw Failure() }
        func list(_ filter: AuditFilter, before: Int64?, limit: Int) async throws -> [AuditEvent] { [] }
    }

    /// The events the trail reported as not written.
    final class Reported: Sendable {
        let actions = Mutex<[String]>([])
    }

    @Test("a student's request is saved and queued although its audit event cannot be written; the failure is reported once")
    func brokenTrailFailsNothing() async throws {
        try await RelationalEngine.sqlite.withRepositories { (repositories) async throws in
            var broken = repositories
            broken.audit = BrokenAuditLog()
            let reported = Reported()
            let queue = MemoryJobQueue(settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 5))
            let labs: any LabRequests = LabOperations(
                repositories: broken, queue: queue,
                audit: AuditTrail(log: broken.audit) { event, _ in reported.actions.withLock { $0.append(event.action) } })

            let platform = Platform(
                issuer: "https://moodle.example.edu", clientID: "c", authURL: "https://moodle.example.edu/a", tokenURL: "https://moodle.example.edu/t",
                jwksURL: "https://moodle.example.edu/j", createdAt: Date())
            try await repositories.platforms.insert(platform)
            let student = try await repositories.users.upsert(User(platformID: platform.id, subject: "s1"))
            let environment = try await repositories.environments.save(Environment(name: "linux", title: "Linux"))

            let (instance, created) = try await labs.request(LabRequest(userID: student.id, environment: environment, actor: "user:\(student.id)"))
            #expect(created)
            #expect(try await repositories.instances.find(id: instance.id)?.state == .requested)
            let claimed = try await queue.claim(consumer: "test", max: 1, wait: .seconds(1))
            #expect(claimed.map(\.job.payload) == [instance.id.rawValue])
            #expect(reported.actions.withLock { $0 } == ["instance.request"])
        }
    }
}
