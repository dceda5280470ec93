import LabCore

/// What a verified launch leads to, for the page that answers it.
public enum LaunchOutcome: Sendable {
    /// A student of a configured activity: their lab is requested (once) and being prepared.
    case labRequested(LabInstance)
    /// A student of an activity no teacher has configured yet.
    case notConfigured(Activity)
    /// A teacher (or admin) of an activity: their course's page, where they steer its labs.
    case teaching(Activity)
    /// A teacher adding an activity through Deep Linking: pick environments to return.
    case deepLinking(DeepLinkingRequest, choices: [Environment])
}
