/// The LTI messages LabGate accepts at its launch URL.
public enum LTIMessageType: String, Codable, Sendable {
    case resourceLink = "LtiResourceLinkRequest"
    case deepLinking = "LtiDeepLinkingRequest"
}
