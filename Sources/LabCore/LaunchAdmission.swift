import Foundation

/// Decides whether a new lab instance may be made: inside the course's time windows, and
/// within every quota (the student's, the course's, the global one). Asked before the
/// instance is stored, so a refusal leaves nothing half-made.
public struct LaunchAdmission: Sendable {
    let quotas: any QuotaRepository
    let instances: any LabInstanceRepository
    let courses: any CourseRepository
    /// Where admissions under one quota count and make their instance one after another.
    let gates: any AdmissionGates
    /// Where admissions under one quota wait for their turn before their gate; nil: they
    /// wait at the gate itself, each holding a database connection meanwhile.
    let turns: AdmissionTurns?

    /// - Parameter lock: the ephemeral store admissions under a quota take turns in (Redis
    ///   when several processes serve launches).
    public init(repositories: Repositories, lock: (any EphemeralStore)? = nil) {
        quotas = repositories.quotas
        instances = repositories.instances
        courses = repositories.courses
        gates = repositories.admissionGates
        turns = lock.map { AdmissionTurns(store: $0) }
    }

    /// The user's live instance of `environment`, a spare of the course's prepared class claimed
    /// for them (in `claiming`), or a new one sized with the course's
    /// settings when the course is open and every quota has room; throws `LaunchRefusal`.
    /// A wait for a quota's turn ends by `giveUpAt` (then `StoreError.retryable`).
    public func findOrCreate(
        userID: UserID, environment: Environment, courseID: CourseID?, at now: Date, giveUpAt: ContinuousClock.Instant? = nil
    ) async throws -> (instance: LabInstance, created: Bool) {
        var settings: CourseSettings?
        if let courseID { settings = try await courses.settings(of: courseID) }
        // A student who has their lab already keeps it: a refusal is only for a new one.
        if let settings, !settings.isOpen(at: now) {
            if let live = try await existing(userID, environment, in: instances) { return live }
            throw LaunchRefusal.closed(next: settings.nextOpening(after: now), timeZone: settings.timeZone)
        }
        let quotas = try await applicableQuotas(userID: userID, courseID: courseID)
        let footprint = environment.footprint(with: settings)
        let turnKeys = Self.turns(of: quotas, userID: userID, courseID: courseID)
        // The student's live lab if a quota is full (it is kept), the refusal if they have none; nil when every quota has room.
        let settleIfFull = { @Sendable (instances: any LabInstanceRepository) async throws -> (instance: LabInstance, created: Bool)? in
            guard let refusal = try await self.refusal(by: quotas, userID: userID, courseID: courseID, footprint: footprint, in: instances) else {
                return nil
            }
            if let live = try await self.existing(userID, environment, in: instances) { return live }
            throw refusal
        }
        let admit = { @Sendable (instances: any LabInstanceRepository) async throws -> (instance: LabInstance, created: Bool) in
            if let live = try await settleIfFull(instances) { return live }
            // A spare of the course's prepared class, when one waits, rather than a clone.
            if let courseID, let spare = try await instances.claimSpare(environmentID: environment.id, courseID: courseID, for: userID, at: now) {
                return (spare, true)
            }
            return try await instances.findOrCreate(
                LabInstance(
                    userID: userID, environmentID: environment.id, courseID: courseID, cores: footprint.cores, memoryMiB: footprint.memoryMiB,
                    createdAt: now))
        }
        guard !quotas.isEmpty else { return try await admit(instances) }
        let gated = {
            do {
                return try await self.gates.passing(turnKeys, admit)
            } catch let refusal as LaunchRefusal {
                await self.turns?.markFull(turnKeys)
                throw refusal
            }
        }
        guard let turns else { return try await gated() }
        // What is refused now would be refused in its turn too (usage only falls when labs
        // end): in a rush, the many who cannot get a lab hear so at once, not after a wait.
        if let live = try await settleIfFull(instances) { return live }
        return try await turns.taking(turnKeys, giveUpAt: giveUpAt, settle: { try await settleIfFull(self.instances) }, gated)
    }

    /// Finds or makes `candidate`, a lab of `environment` for `userID` in `courseID` sized by
    /// the footprint it is given, when every quota has room for it, through the quotas' gates
    /// as a launch's; nil when one is full. For labs prepared ahead, which wait for no window
    /// and take no turn.
    public func findOrCreateWithinQuotas(
        userID: UserID, environment: Environment, courseID: CourseID, _ candidate: @escaping @Sendable (ResourceUsage) -> LabInstance
    ) async throws -> (instance: LabInstance, created: Bool)? {
        let footprint = environment.footprint(with: try await courses.settings(of: courseID))
        let quotas = try await applicableQuotas(userID: userID, courseID: courseID)
        let make = { @Sendable (instances: any LabInstanceRepository) async throws -> (instance: LabInstance, created: Bool)? in
            guard try await self.refusal(by: quotas, userID: userID, courseID: courseID, footprint: footprint, in: instances) == nil else { return nil }
            return try await instances.findOrCreate(candidate(footprint))
        }
        guard !quotas.isEmpty else { return try await make(instances) }
        return try await gates.passing(Self.turns(of: quotas, userID: userID, courseID: courseID), make)
    }

    /// The quotas a new instance of `userID` in `courseID` counts against: the student's, the
    /// course's (its own, else the one for every course) and the global one, as far as set.
    public func applicableQuotas(userID: UserID, courseID: CourseID?) async throws -> [Quota] {
        let scopes: [Quota.Scope] = [.eachStudent] + (courseID.map { [.course($0), .everyCourse] } ?? []) + [.global]
        let found = Dictionary(try await quotas.find(scopes).map { ($0.scope, $0) }) { first, _ in first }
        let course = courseID.flatMap { found[.course($0)] ?? found[.everyCourse] }
        return [found[.eachStudent], course, found[.global]].compactMap { $0 }
    }

    /// The first of `quotas` one more instance of `footprint` would exceed, as a refusal; nil when all have room.
    func refusal(
        by quotas: [Quota], userID: UserID, courseID: CourseID?, footprint: ResourceUsage, in instances: any LabInstanceRepository
    ) async throws -> LaunchRefusal? {
        for quota in quotas {
            // A course is refused by its own name, whichever of its quotas applied.
            let scope: Quota.Scope
            let usage: ResourceUsage
            switch quota.scope {
            case .eachStudent: (scope, usage) = (.eachStudent, try await instances.usage(of: .user(userID)))
            case .global: (scope, usage) = (.global, try await instances.usage(of: .all))
            case .course, .everyCourse:
                guard let courseID else { continue }
                (scope, usage) = (.course(courseID), try await instances.usage(of: .course(courseID)))
            }
            if let limit = quota.exceeded(by: usage, adding: footprint) { return .quota(scope, limit: limit) }
        }
        return nil
    }

    /// The turns of `quotas`, which also name their gates.
    static func turns(of quotas: [Quota], userID: UserID, courseID: CourseID?) -> [String] {
        quotas.map { turn(of: $0.scope, userID: userID, courseID: courseID) }
    }

    /// The turn a quota's admissions take: one per student, per course, or one for all.
    static func turn(of scope: Quota.Scope, userID: UserID, courseID: CourseID?) -> String {
        switch scope {
        case .eachStudent: "admission:student:\(userID)"
        case .course, .everyCourse: "admission:course:\(courseID?.rawValue ?? "")"
        case .global: "admission:global"
        }
    }

    private func existing(
        _ userID: UserID, _ environment: Environment, in instances: any LabInstanceRepository
    ) async throws -> (instance: LabInstance, created: Bool)? {
        try await instances.list(userID: userID).first { $0.environmentID == environment.id && $0.state.isLive }.map { ($0, false) }
    }
}

/// Why a new lab instance was not made, in words for the student.
public enum LaunchRefusal: Sendable, Hashable, Error {
    /// Outside the course's time windows.
    case closed(next: TimeWindow?, timeZone: String)
    /// A quota is full; `limit` names it ("30 labs at once").
    case quota(Quota.Scope, limit: String)

    public var message: String {
        switch self {
        case .closed(let next?, let zone):
            "This lab is closed now. It opens next on \(next.start.replacingOccurrences(of: "T", with: " at ")) (\(zone))."
        case .closed(nil, _):
            "This lab is closed now, and your teacher has set no further times for it."
        case .quota(.eachStudent, let limit):
            "You already have as many labs as a student may (\(limit)). Delete one you no longer need, or ask your teacher."
        case .quota(.course, let limit), .quota(.everyCourse, let limit):
            "Your course has reached its limit (\(limit)). Try again when classmates have finished, or tell your teacher."
        case .quota(.global, _):
            "The lab service is full right now. Try again in a few minutes."
        }
    }
}
