import Foundation
import LabCore

/// Who the browser belongs to after a launch: carried in a signed, short-lived cookie,
/// so the pages that follow need no database lookup to know the person and their role.
public struct LaunchSession: Codable, Sendable, Hashable {
    public var userID: UserID
    public var platformID: PlatformID
    public var courseID: CourseID?
    public var activityID: ActivityID?
    public var role: LaunchRole
    public var expiresAt: Date

    public init(userID: UserID, platformID: PlatformID, courseID: CourseID?, activityID: ActivityID?, role: LaunchRole, expiresAt: Date) {
        self.userID = userID
        self.platformID = platformID
        self.courseID = courseID
        self.activityID = activityID
        self.role = role
        self.expiresAt = expiresAt
    }

    /// The name of the cookie that carries it.
    public static let cookieName = "labgate_session"
    static let cookiePurpose = "session cookie"
    /// A pass carries the session to a window of its own, where the cookie of Moodle's iframe
    /// (kept in the platform site's jar) is not sent.
    static let windowPassPurpose = "window pass"

    /// The session signed with LabGate's secret for one purpose.
    func signed(box: SecretBox, purpose: String = cookiePurpose) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return box.sign(try encoder.encode(self), purpose: purpose)
    }

    /// The session in a signed value, if it is genuine, made for `purpose` and not expired.
    static func read(_ value: String, box: SecretBox, purpose: String = cookiePurpose, now: Date) -> LaunchSession? {
        guard let payload = box.verify(value, purpose: purpose) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let session = try? decoder.decode(LaunchSession.self, from: payload), session.expiresAt > now else { return nil }
        return session
    }
}
