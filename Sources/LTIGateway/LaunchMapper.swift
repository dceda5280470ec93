import Foundation
import LabCore
import Logging
import WebSupport

/// Turns a verified launch into LabGate's records: the user, the course and their role in
/// it, the activity and its environment, and for a student the requested lab instance.
/// Every write is keyed, so relaunching changes nothing that is already right.
struct LaunchMapper: Sendable {
    let repositories: Repositories
    let ephemeral: any EphemeralStore
    let labs: any LabRequests

    /// How long after it arrived a launch may still wait for a quota's turn: a database slowed
    /// by a rush makes every turn slow, and a launch that waited for the whole of a turn's
    /// patience after slow reads (and then held the turn through a slow insert) answered only
    /// after 30 s. Past this, the busy page answers and retries by itself. Longer than a
    /// turn lives (10 s), so a turn whose holder died is taken over by those waiting.
    static let turnBudget = Duration.seconds(14)

    /// A name or title from a claim, cut to what a page shows and a column holds: a platform
    /// that sends a longer one still launches.
    static func clipped(_ text: String) -> String {
        text.count <= 1000 ? text : String(text.prefix(1000))
    }

    /// Maps the launch; `address` is the browser's, for the audit trail. Throws `LaunchRefusal`
    /// when a student's new lab is not admitted (closed course, full quota).
    func map(_ launch: ValidatedLaunch, now: Date, sessionLifetime: Duration, address: String?, logger: Logger) async throws -> (LaunchOutcome, LaunchSession) {
        let giveUpAt = ContinuousClock.now + Self.turnBudget
        let claims = launch.claims
        let context = launch.context
        let courseTitle = Self.clipped(context.title ?? context.label ?? context.id)
        let displayName = claims.displayName.map(Self.clipped)
        let email = claims.email.map(Self.clipped)
        // Most launches are relaunches: one read says what is already right, and only the rest is written.
        let known = try await repositories.launchSnapshots.snapshot(
            platformID: launch.platform.id, subject: launch.subject, deploymentID: launch.deploymentID, contextID: context.id,
            resourceLinkID: claims.resourceLink?.id ?? "")

        let user: User
        if let knownUser = known?.user, displayName.map({ $0 == knownUser.name }) ?? true,
            email.map({ $0 == knownUser.email }) ?? true
        {
            user = knownUser
        } else {
            user = try await repositories.users.upsert(
                User(platformID: launch.platform.id, subject: launch.subject, name: displayName, email: email))
        }
        let course: Course
        if let knownCourse = known?.course, knownCourse.title == courseTitle {
            course = knownCourse
        } else {
            course = try await repositories.courses.upsert(
                Course(platformID: launch.platform.id, deploymentID: launch.deploymentID, contextID: context.id, title: courseTitle))
        }
        // A first launch writes enough already (a rush of new students waits on those writes):
        // the roster's address is kept from a relaunch or a teacher's launch.
        if let roster = claims.rosterService?.contextMembershipsURL, known != nil || launch.role >= .teacher, roster != known?.membershipsURL {
            try await repositories.enrolments.setMembershipsURL(roster, of: course.id)
        }
        if known?.role != launch.role.courseRole {
            try await repositories.courses.enroll(user.id, in: course.id, as: launch.role.courseRole)
        }
        var session = LaunchSession(
            userID: user.id, platformID: launch.platform.id, courseID: course.id, activityID: nil, role: launch.role,
            expiresAt: now + sessionLifetime.timeInterval)

        switch launch.messageType {
        case .deepLinking:
            guard launch.role >= .teacher else { throw LTIError.teachersOnly }
            let accepted = claims.deepLinkingSettings?.acceptTypes ?? []
            guard accepted.isEmpty || accepted.contains("ltiResourceLink") else {
                throw LTIError.invalidChoice("the platform does not accept LTI resource links here")
            }
            let request = try await DeepLinkingRequest.store(launch, userID: user.id, courseID: course.id, in: ephemeral)
            return (.deepLinking(request, choices: try await repositories.environments.list()), session)
        case .resourceLink:
            let link = claims.resourceLink!  // checked by the validator
            let activityTitle = Self.clipped(link.title ?? context.title ?? link.id)
            var activity: Activity
            if let knownActivity = known?.activity, knownActivity.courseID == course.id, knownActivity.title == activityTitle {
                activity = knownActivity
            } else {
                // The first launch of a link that Deep Linking made: the activity made then becomes this link's.
                if let made = claims.custom[Activity.customParameter], !made.isEmpty {
                    _ = try await repositories.courses.bindResourceLink(link.id, to: ActivityID(made), in: course.id)
                }
                activity = try await repositories.courses.upsertActivity(
                    Activity(courseID: course.id, resourceLinkID: link.id, title: activityTitle))
            }
            session.activityID = activity.id
            if let service = claims.gradeService, service.lineitem != activity.lineItemURL || service.lineitems != activity.lineItemsURL {
                try await repositories.courses.setGradebook(of: activity.id, lineItemURL: service.lineitem, lineItemsURL: service.lineitems)
                activity.lineItemURL = service.lineitem
                activity.lineItemsURL = service.lineitems
            }
            if activity.environmentID == nil, let name = claims.custom["environment"] {
                activity = try await bindFromDeepLink(activity, environmentName: name, logger: logger)
            }
            var environment = known?.environment.flatMap { $0.id == activity.environmentID ? $0 : nil }
            if environment == nil, let id = activity.environmentID { environment = try await repositories.environments.find(id: id) }
            if launch.role >= .teacher { return (.teaching(activity), session) }
            guard let environment else { return (.notConfigured(activity), session) }
            let (instance, created) = try await labs.request(
                LabRequest(
                    userID: user.id, environment: environment, courseID: course.id, resume: true, known: known?.liveInstance,
                    giveUpAt: giveUpAt, actor: "user:\(user.id)", address: address))
            if created {
                logger.info("lab requested", metadata: ["instance": .string(instance.id.rawValue), "environment": .string(environment.name)])
            }
            return (.labRequested(instance), session)
        }
    }

    /// The `environment` custom parameter a Deep Linking response put on the link binds a
    /// new activity on its first launch; later a teacher's choice wins.
    private func bindFromDeepLink(_ activity: Activity, environmentName: String, logger: Logger) async throws -> Activity {
        guard let environment = try await repositories.environments.find(name: environmentName) else {
            logger.notice("launch names an unknown environment", metadata: ["environment": .string(environmentName)])
            return activity
        }
        _ = try await repositories.courses.bind(activity.id, to: environment.id)
        var bound = activity
        bound.environmentID = environment.id
        return bound
    }
}
