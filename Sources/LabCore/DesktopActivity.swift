import Foundation

/// What Guacamole's history (`guacamole_connection_history`) says of one lab's desktop: the
/// sessions open now (`end_date` still NULL: two tabs are two) and when the last one ended.
public struct DesktopActivity: Sendable, Hashable {
    /// When each session open now began; a row Guacamole left open when it restarted is among them.
    public var openSince: [Date]
    public var lastEnded: Date?

    public init(openSince: [Date] = [], lastEnded: Date? = nil) {
        self.openSince = openSince
        self.lastEnded = lastEnded
    }
}
