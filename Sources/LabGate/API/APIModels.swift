import Foundation
import LabCore

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

    init(_ instance: LabInstance) {
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
