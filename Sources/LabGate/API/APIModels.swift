import Foundation
import LabCore
import Provisioning

/// A lab instance as the API shows it: never the guest password.
struct InstanceResource: Codable, Equatable {
    var id: String
    var userId: String
    var environmentId: String
    var courseId: String?
    var state: String
    var failureReason: String?
    var node: String?
    var vmid: Int?
    var address: String?
    var expiresAt: Date?
    var createdAt: Date
    var updatedAt: Date
    /// Only in the one instance's answer.
    var checkpoints: [CheckpointResource]?

    init(_ instance: LabInstance, checkpoints: [LabCheckpoint]? = nil) {
        id = instance.id.rawValue
        userId = instance.userID.rawValue
        environmentId = instance.environmentID.rawValue
        courseId = instance.courseID?.rawValue
        state = instance.state.rawValue
        failureReason = instance.failureReason
        node = instance.node
        vmid = instance.vmid
        address = instance.address
        expiresAt = instance.expiresAt
        createdAt = instance.createdAt
        updatedAt = instance.updatedAt
        self.checkpoints = checkpoints?.map(CheckpointResource.init)
    }
}

/// A student's checkpoint in a lab, as the API shows it.
struct CheckpointResource: Codable, Equatable {
    var name: String
    var label: String
    var status: String
    var problem: String?
    var createdAt: Date

    init(_ checkpoint: LabCheckpoint) {
        name = checkpoint.name
        label = checkpoint.label
        status = checkpoint.status.rawValue
        problem = checkpoint.problem
        createdAt = checkpoint.createdAt
    }
}

/// An environment as the API shows it.
struct EnvironmentResource: Codable, Equatable {
    var id: String
    var name: String
    var title: String

    init(_ environment: LabCore.Environment) {
        id = environment.id.rawValue
        name = environment.name
        title = environment.title
    }
}

/// A token as the API lists it: never its secret or hash.
struct TokenResource: Codable, Equatable {
    var name: String
    var scope: String
    var createdAt: Date
    var expiresAt: Date?
    var revokedAt: Date?

    init(_ token: APIToken) {
        name = token.name
        scope = token.scope.rawValue
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        revokedAt = token.revokedAt
    }
}

/// One page of a list, and the cursor of the next (absent on the last).
struct Page<Item: Codable & Equatable>: Codable, Equatable {
    var items: [Item]
    var nextCursor: String?
}

/// A platform as the API shows it, with its deployments.
struct PlatformResource: Codable, Equatable {
    var id: String
    var issuer: String
    var clientId: String
    var status: String
    var deployments: [String]
    var createdAt: Date

    init(_ platform: Platform, deployments: [String]) {
        id = platform.id.rawValue
        issuer = platform.issuer
        clientId = platform.clientID
        status = platform.status.rawValue
        self.deployments = deployments
        createdAt = platform.createdAt
    }
}

/// A course as the API lists it.
struct CourseResource: Codable, Equatable {
    var id: String
    var platformId: String
    var deploymentId: String
    var contextId: String
    var title: String

    init(_ course: Course) {
        id = course.id.rawValue
        platformId = course.platformID.rawValue
        deploymentId = course.deploymentID
        contextId = course.contextID
        title = course.title
    }
}

/// One course whole: its activities, the teacher's settings and what its labs hold.
struct CourseDetail: Codable, Equatable {
    var course: CourseResource
    var activities: [ActivityResource]
    var settings: CourseSettings
    var usage: ResourceUsage
}

/// A Proxmox node, with its load and whether new labs may be placed on it.
package struct NodeResource: Codable, Equatable {
    package var name: String
    package var online: Bool
    package var cores: Int
    package var cpu: Double
    package var memoryBytes: Int
    package var memoryUsedBytes: Int
    package var schedulable: Bool

    /// A node as Proxmox reports it; schedulable when online and below provisioning's memory ceiling.
    init(_ node: PVENode, memoryCeiling: Double) {
        name = node.node
        online = node.online
        cores = node.cores
        cpu = node.cpu
        memoryBytes = node.memoryBytes
        memoryUsedBytes = node.memoryUsedBytes
        schedulable = node.online && Double(node.memoryUsedBytes) < Double(node.memoryBytes) * memoryCeiling
    }

    /// The cluster's nodes by name.
    package static func all(in cluster: ClusterView, memoryCeiling: Double) -> [NodeResource] {
        cluster.nodes.sorted { $0.node < $1.node }.map { NodeResource($0, memoryCeiling: memoryCeiling) }
    }
}

/// A job that failed too often, waiting for a person (`POST /jobs/{job}/retry`).
struct JobResource: Codable, Equatable {
    var id: String
    var kind: String
    var payload: String
    var attempts: Int
    var reason: String

    init(_ letter: DeadLetter) {
        id = letter.job.id.rawValue
        kind = letter.job.kind
        payload = letter.job.payload
        attempts = letter.attempts
        reason = letter.reason
    }
}

/// An audit event as the API lists it.
struct AuditResource: Codable, Equatable {
    var sequence: Int64
    var at: Date
    var actor: String
    var action: String
    var subject: String
    var detail: String
    var courseId: String?
    var address: String?
    var outcome: String

    init(_ event: AuditEvent) {
        sequence = event.sequence ?? 0
        at = event.at
        actor = event.actor
        action = event.action
        subject = event.subject
        detail = event.detail
        courseId = event.courseID?.rawValue
        address = event.address
        outcome = event.outcome.rawValue
    }
}

/// An activity (an LTI resource link in a course) and the environment it opens.
struct ActivityResource: Codable, Equatable {
    var id: String
    var courseId: String
    var resourceLinkId: String
    var title: String
    var environmentId: String?

    init(_ activity: Activity) {
        id = activity.id.rawValue
        courseId = activity.courseID.rawValue
        resourceLinkId = activity.resourceLinkID
        title = activity.title
        environmentId = activity.environmentID?.rawValue
    }
}

/// A deployment id a platform registered, with the platform it belongs to.
struct DeploymentResource: Codable, Equatable {
    var platformId: String
    var issuer: String
    var clientId: String
    var deploymentId: String
}

/// `PUT /activities/{activity}/environment`: the environment's name, or null to unbind.
struct EnvironmentChoice: Codable, Equatable {
    var environment: String?
}

/// `POST /instances`: whose lab, of which environment.
struct InstanceRequest: Codable, Equatable {
    var userId: String
    var environment: String
}

/// `POST /tokens`.
struct TokenRequest: Codable, Equatable {
    var name: String
    var scope: APIToken.Scope
    var expiresDays: Int?
}

/// What an invitation to register a platform is asked with: how long it lasts (default a week).
struct InvitationRequest: Codable, Equatable {
    var expiresHours: Int?
}

/// An invitation just made: the registration URL to hand the platform's admin, shown this once.
struct CreatedInvitation: Codable, Equatable {
    var url: String
    var expiresAt: Date
}

/// A token just made, with the bearer value shown this once.
struct CreatedToken: Codable, Equatable {
    var token: TokenResource
    var bearer: String
}
