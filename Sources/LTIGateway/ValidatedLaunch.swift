import LabCore
import WebSupport

/// A launch that passed every check: who sent it, what it says, and the role it grants.
public struct ValidatedLaunch: Codable, Sendable {
    public var platform: Platform
    public var claims: LTIClaims
    public var messageType: LTIMessageType
    public var role: LaunchRole
    /// The subject, present on every launch that passed.
    public var subject: String
    public var deploymentID: String
    /// The course, present on every launch that passed.
    public var context: LTIClaims.Context
}
