import Foundation

/// Decides whether a new lab instance may be made: inside the course's time windows, and
/// within every quota (the student's, the course's, the global one). Asked before the
/// instance is stored, so a refusal leaves nothing half-made.
public struct LaunchAdmission: Sendable {
    let quotas: any QuotaRepository
    let instances: any LabInstanceRepository
    let courses: any CourseRepository

    public init(repositories: Repositories) {
        quotas = repositories.quotas
        instances = repositories.instances
        courses = repositories.courses
    }

    /// The user's live instance of `environment`, or a new one sized with the course's
    /// settings when the course is open and every quota has room; throws `LaunchRefusal`.
    public func findOrCreate(userID: UserID, environment: Environment, courseID: CourseID?, at now: Date) async throws -> (instance: LabInstance, created: Bool) {
        var settings: CourseSettings?
        if let courseID { settings = try await courses.settings(of: courseID) }
        let footprint = environment.footprint(with: settings)
        if let refusal = try await check(userID: userID, courseID: courseID, settings: settings, footprint: footprint, at: now) {
            // A student who has their lab already keeps it: the refusal is only for a new one.
            if let live = try await instances.list(userID: userID).first(where: { $0.environmentID == environment.id && $0.state.isLive }) {
                return (live, false)
            }
            throw refusal
        }
        return try await instances.findOrCreate(
            LabInstance(
                userID: userID, environmentID: environment.id, courseID: courseID, cores: footprint.cores, memoryMiB: footprint.memoryMiB,
                createdAt: now))
    }

    /// Nil when `userID` may have one more instance of `footprint` in `courseID` now; the refusal otherwise.
    public func check(userID: UserID, courseID: CourseID?, settings: CourseSettings?, footprint: ResourceUsage, at now: Date) async throws -> LaunchRefusal? {
        if let settings, !settings.isOpen(at: now) {
            return .closed(next: settings.nextOpening(after: now), timeZone: settings.timeZone)
        }
        if let quota = try await quotas.find(.eachStudent), let limit = quota.exceeded(by: try await instances.usage(of: .user(userID)), adding: footprint) {
            return .quota(.eachStudent, limit: limit)
        }
        if let courseID {
            var quota = try await quotas.find(.course(courseID))
            if quota == nil { quota = try await quotas.find(.everyCourse) }
            if let quota, let limit = quota.exceeded(by: try await instances.usage(of: .course(courseID)), adding: footprint) {
                return .quota(.course(courseID), limit: limit)
            }
        }
        if let quota = try await quotas.find(.global), let limit = quota.exceeded(by: try await instances.usage(of: .all), adding: footprint) {
            return .quota(.global, limit: limit)
        }
        return nil
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
