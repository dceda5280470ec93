import Foundation
import LTIGateway
import LabCore
import Provisioning
import WebSupport

/// The admin operations the API and the CLI share, so both check the same things and refuse
/// in the same words. Reading is left to each edge: it is one repository call.
package struct Administration: Sendable {
    let repositories: Repositories
    let operations: any LabRequests
    let queue: any JobQueue
    /// The serving process's registry, so its launches see an approval or removal at once.
    let platforms: PlatformRegistry
    /// The live launch sessions, to end a user's.
    let sessions: SessionStore

    package init(repositories: Repositories, operations: any LabRequests, queue: any JobQueue, sessions: SessionStore, platforms: PlatformRegistry? = nil) {
        self.repositories = repositories
        self.sessions = sessions
        self.operations = operations
        self.queue = queue
        self.platforms = platforms ?? PlatformRegistry(repository: repositories.platforms)
    }

    /// On an admin command's backends.
    package init(_ backends: Backends) {
        self.init(
            repositories: backends.repositories,
            operations: LabOperations(repositories: backends.repositories, queue: backends.queue, lock: backends.ephemeral),
            queue: backends.queue, sessions: backends.sessions)
    }

    /// Ends every LabGate session of a user, in every browser: their next request needs a new launch.
    package func endSessions(of user: UserID) async throws {
        guard try await repositories.users.find(id: user) != nil else { throw AdminError.notFound("user \(user)") }
        try await sessions.endAll(of: user)
    }

    /// A new token and its bearer value, shown once.
    package func createToken(name: String, scope: APIToken.Scope, expiresDays: Int?, now: Date) async throws -> (token: APIToken, bearer: String) {
        guard (1...128).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw AdminError.invalid(field: "name", message: "name must be 1 to 128 letters, digits, '-', '_' or '.'")
        }
        if let expiresDays, !(1...3650).contains(expiresDays) {
            throw AdminError.invalid(field: "expiresDays", message: "expiresDays must be from 1 to 3650")
        }
        do {
            return try await APITokens(repository: repositories.apiTokens).create(
                name: name, scope: scope, lifetime: expiresDays.map { .seconds($0 * 86_400) }, now: now)
        } catch StoreError.duplicate {
            throw AdminError.duplicate("a token named \(name)")
        }
    }

    package func revokeToken(name: String, now: Date) async throws {
        guard try await repositories.apiTokens.revoke(name: name, at: now) else { throw AdminError.notFound("valid token named \(name)") }
    }

    /// A one-time registration URL whose registration is active at once, and when it expires.
    package func invitePlatform(registrationURL: String, lifetimeHours: Int, now: Date) async throws -> (url: String, expiresAt: Date) {
        let lifetime = Duration.seconds(lifetimeHours * 3600)
        guard PlatformInvitations.lifetimes.contains(lifetime) else {
            throw AdminError.invalid(field: "expiresHours", message: "an invitation lasts from 1 hour to 30 days (720 hours)")
        }
        return try await PlatformInvitations(repository: repositories.invitations).invite(registrationURL: registrationURL, lifetime: lifetime, now: now)
    }

    /// Lets the launches of a platform that registered itself in.
    package func approvePlatform(_ id: PlatformID) async throws -> Platform {
        guard let platform = try await platforms.approve(id: id) else { throw AdminError.notFound("platform \(id)") }
        return platform
    }

    /// Removes a platform with its deployments; its users and courses go with it.
    package func removePlatform(_ id: PlatformID) async throws {
        guard try await platforms.remove(id: id) else { throw AdminError.notFound("platform \(id)") }
    }

    /// Removes an environment no lab instance uses; activities bound to it become unbound.
    package func removeEnvironment(name: String) async throws {
        guard let environment = try await repositories.environments.find(name: name), try await repositories.environments.remove(id: environment.id) else {
            throw AdminError.notFound("environment named \(name)")
        }
    }

    /// Saves the quota of `scope`; every limit must be a whole number from 0 up, or absent (no limit).
    package func setQuota(_ scope: Quota.Scope, _ limits: QuotaLimits) async throws -> Quota {
        let given = [("instances", limits.instances), ("cores", limits.cores), ("memoryMiB", limits.memoryMiB), ("checkpoints", limits.checkpoints)]
        guard given.contains(where: { $0.1 != nil }) else {
            throw AdminError.invalid(
                field: "instances", message: "give at least one limit: instances, cores, memoryMiB or checkpoints (to lift the quota, remove it)")
        }
        for (field, value) in given {
            if let value, !(0...QuotaLimits.maximum).contains(value) {
                throw AdminError.invalid(field: field, message: "\(field) must be from 0 to \(QuotaLimits.maximum)")
            }
        }
        let quota = Quota(scope: scope, instances: limits.instances, cores: limits.cores, memoryMiB: limits.memoryMiB, checkpoints: limits.checkpoints)
        try await repositories.quotas.save(quota)
        return quota
    }

    package func removeQuota(_ scope: Quota.Scope) async throws {
        guard try await repositories.quotas.remove(scope) else { throw AdminError.notFound("quota for \(scope)") }
    }

    /// Puts a job that failed too often back on the queue.
    package func retry(job id: String) async throws {
        guard try await queue.retry(deadLetter: JobID(id)) else { throw AdminError.notFound("failed job \(id) waiting for a retry") }
    }

    /// Binds an activity to the environment named, or unbinds it (nil); returns it as saved.
    package func setEnvironment(of activityID: ActivityID, to environmentName: String?) async throws -> Activity {
        guard var activity = try await repositories.courses.activity(id: activityID) else { throw AdminError.notFound("activity \(activityID)") }
        var environmentID: EnvironmentID?
        if let environmentName {
            guard let environment = try await repositories.environments.find(name: environmentName) else {
                throw AdminError.notFound("environment named \(environmentName)")
            }
            environmentID = environment.id
        }
        guard try await repositories.courses.bind(activityID, to: environmentID) else { throw AdminError.notFound("activity \(activityID)") }
        activity.environmentID = environmentID
        return activity
    }

    /// The user's lab of the environment, requested now if they have none; quotas apply as to a launch.
    package func createInstance(userID: UserID, environmentName: String) async throws -> (instance: LabInstance, created: Bool) {
        guard try await repositories.users.find(id: userID) != nil else {
            throw AdminError.notFound("user \(userID) (users are made by their first launch from the LMS)")
        }
        guard let environment = try await repositories.environments.find(name: environmentName) else {
            throw AdminError.notFound("environment named \(environmentName)")
        }
        return try await operations.request(LabRequest(userID: userID, environment: environment))
    }
}
