import Foundation
import HTTPTypes
import Hummingbird
import LabCore

extension LTIService {
    /// The launch session of the browser that sent `request`, if its cookie is genuine and fresh.
    public func session(of request: Request, now: Date = Date()) -> LaunchSession? {
        guard let cookie = request.cookies[LaunchSession.cookieName]?.value else { return nil }
        return LaunchSession.read(cookie, box: box, now: now)
    }

    /// The CSRF token the forms of `request`'s session carry, if it has one.
    public func csrfToken(of request: Request) -> String? {
        guard let cookie = request.cookies[LaunchSession.cookieName]?.value else { return nil }
        return csrfToken(sessionCookie: cookie)
    }

    /// Whether a posted form's `token` is the one of the session that sent it.
    public func isValidCSRFToken(_ token: String?, of request: Request) -> Bool {
        guard let token, let expected = csrfToken(of: request) else { return false }
        return token == expected
    }

    /// A pass that opens the same session in a window of its own (see `LaunchSession.windowPassPurpose`).
    public func windowPass(for session: LaunchSession) throws -> String {
        try session.signed(box: box, purpose: LaunchSession.windowPassPurpose)
    }

    /// The session a window pass carries, if it is genuine and fresh.
    public func session(fromWindowPass pass: String, now: Date = Date()) -> LaunchSession? {
        LaunchSession.read(pass, box: box, purpose: LaunchSession.windowPassPurpose, now: now)
    }

    /// The `Set-Cookie` that keeps `session` in this browser until it expires.
    public func sessionCookie(_ session: LaunchSession, now: Date = Date()) throws -> HTTPField {
        SetCookie(
            name: LaunchSession.cookieName, value: try session.signed(box: box), path: "/",
            maxAge: max(0, Int(session.expiresAt.timeIntervalSince(now)))
        ).field
    }
}

extension LTIService {
    /// Whether the session may steer a course: its teachers, and admins of the platform it belongs to.
    public func mayTeach(_ courseID: CourseID, session: LaunchSession) async throws -> Bool {
        let courses = repositories.courses
        if session.role == .admin, let course = try await courses.find(id: courseID) {
            return course.platformID == session.platformID
        }
        return try await courses.role(of: session.userID, in: courseID) == .teacher
    }
}
