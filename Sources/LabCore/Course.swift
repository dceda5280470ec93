import Foundation

public typealias CourseID = Identifier<Course>

/// A course: one LTI context of one platform (issuer), whichever registration and deployment
/// it is seen through; `platformID` and `deploymentID` are those it was first seen through.
public struct Course: Sendable, Hashable, Codable {
    public var id: CourseID
    public var platformID: PlatformID
    public var deploymentID: String
    public var contextID: String
    public var title: String

    public init(id: CourseID = .random(), platformID: PlatformID, deploymentID: String, contextID: String, title: String) {
        self.id = id
        self.platformID = platformID
        self.deploymentID = deploymentID
        self.contextID = contextID
        self.title = title
    }
}
