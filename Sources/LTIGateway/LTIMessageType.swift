/// The LTI messages LabGate accepts at its launch URL.
public enum LTIMessageType: String, Sendable {
    case resourceLink = "LtiResourceLinkRequest"
    case deepLinking = "LtiDeepLinkingRequest"
}
