import Foundation
import LabCore

/// Prepares labs for the classes announced (`ClassSession`): before a class, each expected
/// student of its roster gets their lab and a pool of spares waits for the others, cloned
/// ahead of time and powered on just in time (`PreparationPlan`); the spares shrink to a
/// buffer after the class's first minutes, and what nobody took goes when it ends. Runs every
/// `tick` in the process that holds the reconciler's lock, so one process prepares at a time.
/// Clones are paced to leave each node a clone slot for live launches: a student who clicks
/// never waits behind preparation.
public struct ClassPreparer: Sendable {
    /// What one pass did, over all sessions.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        public var prepared = 0
        public var spares = 0
        public var poweredOn = 0
        /// Spares removed: the pool shrank, or the class ended.
        public var sparesRemoved = 0
        /// Labs prepared for students who never opened them, removed after the class.
        public var unclaimedRemoved = 0
        /// Labs not prepared because a quota was full.
        public var refused = 0

        public init() {}

        public var description: String {
            "prepared=\(prepared) spares=\(spares) powered_on=\(poweredOn) spares_removed=\(sparesRemoved) unclaimed_removed=\(unclaimedRemoved) refused=\(refused)"
        }
    }

    let lifecycle: LabLifecycle
    let operations: LabOperations
    let repositories: Repositories

    /// How often the preparer looks: a pass tops up the clones in flight, so it runs far more
    /// often than the reconciler, and the plan allows a tick of lateness.
    public static let tick = Duration.seconds(5)

    /// The subject of the placeholder user that owns a course's spares, under the course's platform.
    public static let spareOwnerSubject = "labgate:spares"

    public init(lifecycle: LabLifecycle, operations: LabOperations, repositories: Repositories) {
        self.lifecycle = lifecycle
        self.operations = operations
        self.repositories = repositories
    }

    /// One pass over every session not finished yet, while `term` is the reconciler's current
    /// one; false if a later term began, and the pass stopped. A session that cannot be worked on
    /// now is logged and tried on the next pass.
    func prepare(into report: inout Report, during term: LeaderTerm) async throws -> Bool {
        let sessions = try await repositories.classSessions.unfinished()
        guard !sessions.isEmpty else { return true }
        let nodes = try await ClusterView.load(from: lifecycle.proxmox).nodes.filter(\.online).count
        let plan = try await lifecycle.preparationPlan(nodes: max(1, nodes))
        for session in sessions {
            guard try await term.isCurrent() else { return false }
            do {
                try await prepare(session, plan: plan, into: &report)
            } catch {
                lifecycle.logger.warning(
                    "cannot prepare a class's labs now", metadata: ["session": .string(session.id.rawValue), "error": .string("\(error)")])
            }
        }
        return true
    }

    private func prepare(_ session: ClassSession, plan: PreparationPlan, into report: inout Report) async throws {
        let now = lifecycle.clock.now()
        var labs = try await repositories.instances.list(preparedFor: session.id).filter { $0.state != .deleting }
        // A prepared lab that failed (its node went down, say) is removed and made again.
        for lab in labs where lab.state == .failed {
            _ = try await operations.removeUnclaimed(lab.id, of: session.id)
        }
        labs.removeAll { $0.state == .failed }
        guard now < session.endsAt, let environment = try await repositories.environments.find(id: session.environmentID) else {
            for lab in labs where try await operations.removeUnclaimed(lab.id, of: session.id) {
                if lab.isSpare { report.sparesRemoved += 1 } else { report.unclaimedRemoved += 1 }
            }
            try await repositories.classSessions.finish(session.id, at: now)
            return
        }
        guard let course = try await repositories.courses.find(id: session.courseID) else { return }
        let students = try await expectedStudents(of: session, in: course)
        let count = students.count + session.spares
        let remaining = max(0, count - labs.filter { Self.rank($0.state) >= Self.rank(.stopped) }.count)
        try await repositories.classSessions.savePlan(
            ClassSession.Plan(
                labs: count, cloningStarts: plan.cloneStart(of: count, for: session), powerOn: plan.powerOn(of: count, for: session),
                expectedReady: plan.expectedReady(remaining: remaining, of: count, at: max(now, plan.cloneStart(of: count, for: session)), for: session)),
            of: session.id)
        // Once begun, preparing goes on whatever the durations measured meanwhile say.
        guard !labs.isEmpty || now >= plan.cloneStart(of: count, for: session) else { return }

        let spares = labs.filter(\.isSpare)
        let excess = max(0, spares.count - session.sparesWanted(at: now))
        // The least advanced go first: the ready ones are the quickest to hand out.
        for spare in spares.sorted(by: { Self.rank($0.state) < Self.rank($1.state) }).prefix(excess)
        where try await operations.removeUnclaimed(spare.id, of: session.id) {
            report.sparesRemoved += 1
        }
        if now >= plan.powerOn(of: count, for: session) {
            // In waves: a worker's jobs but an eighth boot the class's labs, the rest serve live launches.
            let booting = labs.filter { [.starting, .waitingForAddress].contains($0.state) }.count
            for lab in labs.filter({ $0.state == .stopped && $0.pauseReason == nil }).prefix(max(0, plan.bootsAtOnce - booting)) {
                _ = try await operations.perform(.start, on: lab.id)
                report.poweredOn += 1
            }
        }
        var room = plan.parallelClones - labs.filter { Self.rank($0.state) < Self.rank(.stopped) }.count
        guard room > 0 else { return }
        if now < session.startsAt {
            let withLabs = Set(try await repositories.instances.list(courseID: session.courseID).filter { $0.environmentID == environment.id }.map(\.userID))
            for student in students where room > 0 {
                let userID: UserID
                if let known = student.known { userID = known } else { userID = try await repositories.users.upsert(student.user(of: course)).id }
                guard !withLabs.contains(userID) else { continue }
                if try await operations.prepareLab(for: userID, spare: false, of: session, environment: environment) != nil {
                    report.prepared += 1
                    room -= 1
                } else {
                    report.refused += 1
                }
            }
        }
        var missing = min(session.sparesWanted(at: now) - (spares.count - excess), room)
        if missing > 0 {
            let owner = try await repositories.users.upsert(User(platformID: course.platformID, subject: Self.spareOwnerSubject, name: "Spare lab"))
            while missing > 0 {
                guard try await operations.prepareLab(for: owner.id, spare: true, of: session, environment: environment) != nil else {
                    report.refused += 1
                    break
                }
                report.spares += 1
                missing -= 1
            }
        }
    }

    /// The roster's students expected at the class (its attendance's share), those who launched
    /// before first; without a roster read from the platform, those who launched.
    private func expectedStudents(of session: ClassSession, in course: Course) async throws -> [ExpectedStudent] {
        var launched: [String: UserID] = [:]
        for member in try await repositories.courses.members(of: course.id) where member.role == .student {
            launched[member.user.subject] = member.user.id
        }
        let roster = try await repositories.enrolments.list(courseID: course.id).members.filter { $0.isLearner && $0.leftAt == nil }
        let students =
            roster.isEmpty
            ? launched.map { ExpectedStudent(subject: $0.key, name: nil, email: nil, known: $0.value) }
            : roster.map { ExpectedStudent(subject: $0.subject, name: $0.name, email: $0.email, known: launched[$0.subject]) }
        let ordered = students.sorted { ($0.known == nil ? 1 : 0, $0.subject) < ($1.known == nil ? 1 : 0, $1.subject) }
        return Array(ordered.prefix(session.personalLabs(of: ordered.count)))
    }

    /// The order a prepared lab goes through its states before it rests; a lab in any other
    /// state (paused for idleness, say) counts as made.
    private static func rank(_ state: LabInstanceState) -> Int {
        let order: [LabInstanceState] = [.requested, .allocating, .cloning, .configuring, .stopped, .starting, .waitingForAddress, .ready]
        return order.firstIndex(of: state) ?? order.count
    }
}

/// A student of a roster a class is prepared for, and their user if they launched before.
struct ExpectedStudent: Sendable {
    var subject: String
    var name: String?
    var email: String?
    var known: UserID?

    /// Who they will be when they launch: the same (issuer, subject) is the same user.
    func user(of course: Course) -> User {
        User(platformID: course.platformID, subject: subject, name: name, email: email)
    }
}
