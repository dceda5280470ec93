import Foundation
import LabCore
import Logging

/// Reads a course's roster from its platform (NRPS) and keeps it: when a teacher asks, when
/// the page finds it old, and by a worker's job. A reading that fails keeps the roster read
/// before and says why.
public final class RosterSync: Sendable {
    /// The job kind that reads one course's roster.
    public static let jobKind = "roster.sync"

    let repositories: Repositories
    let roles: NamesAndRoles
    let queue: any JobQueue
    let ephemeral: any EphemeralStore
    /// Where the labs of students who left are deleted.
    let labs: any LabRequests
    let audit: AuditTrail
    /// How old a roster may be before it is read again.
    public let maxAge: Duration
    /// How long a student who left keeps their lab.
    let leaverGrace: Duration
    let logger: Logger

    init(
        repositories: Repositories, roles: NamesAndRoles, queue: any JobQueue, ephemeral: any EphemeralStore, labs: any LabRequests, audit: AuditTrail,
        maxAge: Duration, leaverGrace: Duration, logger: Logger
    ) {
        self.repositories = repositories
        self.roles = roles
        self.queue = queue
        self.ephemeral = ephemeral
        self.labs = labs
        self.audit = audit
        self.maxAge = maxAge
        self.leaverGrace = leaverGrace
        self.logger = logger
    }

    /// Asks a worker to read the roster if it is older than `maxAge` (once a minute per
    /// course at most, whoever looks): true when a reading was asked for.
    @discardableResult
    public func readIfOld(_ courseID: CourseID, _ list: EnrolmentList, now: Date = Date()) async throws -> Bool {
        guard list.membershipsURL != nil, list.readAt.map({ now.timeIntervalSince($0) > maxAge.timeInterval }) ?? true else { return false }
        return try await askToRead(courseID)
    }

    /// Asks a worker to read the rosters that are older than `maxAge`, up to `limit` of them:
    /// what every worker does from time to time (another worker's asking counts too).
    public func readOldRosters(now: Date = Date(), limit: Int = 200) async throws -> Int {
        var asked = 0
        for courseID in try await repositories.enrolments.coursesToRead(readBefore: now - maxAge.timeInterval, limit: limit)
        where try await askToRead(courseID) {
            asked += 1
        }
        return asked
    }

    /// One reading job per course and minute, whoever asks.
    private func askToRead(_ courseID: CourseID) async throws -> Bool {
        guard try await ephemeral.setIfAbsent("roster-read:\(courseID)", to: "1", ttl: .seconds(60)) else { return false }
        try await queue.enqueue(Job(kind: Self.jobKind, payload: courseID.rawValue))
        return true
    }

    /// What one reading did, in a teacher's words.
    public enum Outcome: Sendable, Equatable {
        case read(members: Int, joined: Int, left: Int)
        /// The roster could not be read (the one read before stays): why, in words.
        case failed(String)
    }

    /// Reads the roster of `courseID` now.
    public func sync(_ courseID: CourseID, now: Date = Date()) async throws -> Outcome {
        guard let course = try await repositories.courses.find(id: courseID), let platform = try await repositories.platforms.find(id: course.platformID)
        else { return .failed("the course or its platform is gone") }
        guard let url = try await repositories.enrolments.list(courseID: courseID).membershipsURL else {
            return .failed("the platform has not said where it lists the course's members yet: open the activity once as a teacher")
        }
        let members: [Enrolment]
        do {
            members = try await roles.learners(at: url, platform: platform, now: now)
        } catch {
            let words: String
            switch error {
            case .notGranted: words = "the platform does not let LabGate read the roster: allow “Names and role provisioning” for LabGate in its settings"
            default: words = "\(error)"
            }
            try await repositories.enrolments.recordProblem(words, courseID: courseID, at: now)
            logger.notice("roster not read", metadata: ["course": .string(courseID.rawValue), "reason": .string(words)])
            return .failed(words)
        }
        let (joined, left) = try await repositories.enrolments.replace(courseID: courseID, with: members, at: now)
        try await removeLabsOfLeavers(courseID, now: now)
        logger.info(
            "roster read", metadata: ["course": .string(courseID.rawValue), "members": .stringConvertible(members.count), "joined": .stringConvertible(joined)])
        return .read(members: members.count, joined: joined, left: left)
    }

    /// Deletes the course's labs of students who left it more than `leaverGrace` ago: never at
    /// once, since a student dropped by mistake is often back the next day.
    private func removeLabsOfLeavers(_ courseID: CourseID, now: Date) async throws {
        let gone = Set(
            try await repositories.enrolments.list(courseID: courseID).members.filter { member in
                member.leftAt.map { now.timeIntervalSince($0) >= leaverGrace.timeInterval } ?? false
            }.map(\.subject))
        guard !gone.isEmpty else { return }
        let users = Dictionary(
            try await repositories.courses.members(of: courseID).filter { gone.contains($0.user.subject) }.map { ($0.user.id, $0.user.subject) },
            uniquingKeysWith: { first, _ in first })
        for instance in try await repositories.instances.list(courseID: courseID) where users[instance.userID] != nil && instance.state.isLive {
            _ = try await labs.perform(.delete, on: instance.id)
            await audit.record(
                AuditEvent(
                    at: now, actor: "worker", action: "instance.delete", subject: "instance/\(instance.id)",
                    detail: "\(users[instance.userID] ?? "") left the course more than \(Int(leaverGrace.timeInterval / 3600)) h ago", courseID: courseID))
        }
    }

    /// The job: reads the roster of the course its payload names.
    public func run(_ job: Job) async throws {
        _ = try await sync(CourseID(job.payload))
    }
}
