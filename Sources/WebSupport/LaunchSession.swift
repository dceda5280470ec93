import Foundation
import LabCore

/// Who the browser belongs to after a launch: sealed (encrypted and authenticated) in a
/// short-lived cookie, so the pages that follow need no database lookup to know the person
/// and their role, and listed by its id in the ephemeral store, so it can be ended.
public struct LaunchSession: Codable, Sendable, Hashable {
    /// Random; the session lives while the ephemeral store holds this id.
    public var id: String
    /// The user's session generation when it began: ending all of a user's sessions moves it on.
    public var generation: Int64
    public var userID: UserID
    public var platformID: PlatformID
    public var courseID: CourseID?
    public var activityID: ActivityID?
    public var role: LaunchRole
    public var expiresAt: Date
    /// When the launch that began it arrived: the student's click (nil in a cookie sealed before it was kept).
    public var startedAt: Date?

    public init(
        userID: UserID, platformID: PlatformID, courseID: CourseID?, activityID: ActivityID?, role: LaunchRole, expiresAt: Date, startedAt: Date? = Date()
    ) {
        self.id = RandomToken.make()
        self.generation = 0
        self.userID = userID
        self.platformID = platformID
        self.courseID = courseID
        self.activityID = activityID
        self.role = role
        self.expiresAt = expiresAt
        self.startedAt = startedAt
    }

    /// The name of the cookie that carries it.
    public static let cookieName = "labgate_session"
    public static let cookiePurpose = "session cookie"

    /// The session sealed with LabGate's secret: nobody without it can read or change it.
    public func sealed(box: SecretBox) throws -> String {
        try box.seal(Data(json), purpose: Self.cookiePurpose)
    }

    /// The session in a sealed cookie, if it is genuine, in its one canonical spelling, and not expired.
    public static func unsealed(_ value: String, box: SecretBox, now: Date) -> LaunchSession? {
        guard let payload = try? box.open(value, purpose: cookiePurpose, canonicalOnly: true),
            let session = LaunchSession(json: payload), session.expiresAt > now
        else { return nil }
        return session
    }
}
