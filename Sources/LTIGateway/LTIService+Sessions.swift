import Foundation
import HTTPTypes
import Hummingbird
import LabCore

extension LTIService {
    /// The launch session of the browser that sent `request`, if its cookie is genuine, fresh and not ended.
    public func session(of request: Request, now: Date = Date()) async throws -> LaunchSession? {
        guard let cookie = request.cookies[LaunchSession.cookieName]?.value else { return nil }
        return try await sessions.current(cookie, now: now)
    }

    /// The CSRF token the forms of `request`'s session carry, if it has one.
    public func csrfToken(of request: Request) -> String? {
        guard let cookie = request.cookies[LaunchSession.cookieName]?.value else { return nil }
        return csrfToken(sessionCookie: cookie)
    }

    /// Whether a posted form's `token` is the one of the session that sent it, compared in
    /// constant time so its timing says nothing of the right one.
    public func isValidCSRFToken(_ token: String?, of request: Request) -> Bool {
        guard let token, let expected = csrfToken(of: request) else { return false }
        return Self.constantTimeEqual(Array(token.utf8), Array(expected.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A single-use pass, good for two minutes, that opens `instance`'s page in this
    /// browser's session in a window of its own (where the cookie of Moodle's iframe,
    /// kept in the platform site's jar, is not sent).
    public func windowPass(of request: Request, instance: LabInstanceID) async throws -> String? {
        guard let cookie = request.cookies[LaunchSession.cookieName]?.value else { return nil }
        return try await sessions.issuePass(for: cookie, instance: instance.rawValue)
    }

    /// Spends a window pass for `instance`: the session it carries and the `Set-Cookie` that
    /// puts the session in this window's browser; nil if the pass is not good.
    public func redeemWindowPass(_ pass: String, instance: LabInstanceID, now: Date = Date()) async throws -> (LaunchSession, HTTPField)? {
        guard let cookie = try await sessions.redeemPass(pass, instance: instance.rawValue),
            let session = try await sessions.current(cookie, now: now)
        else { return nil }
        return (session, Self.sessionCookie(cookie, expiresAt: session.expiresAt, now: now))
    }

    /// Ends the browser's session and returns the `Set-Cookie` that forgets it.
    public func logout(_ session: LaunchSession) async throws -> HTTPField {
        try await sessions.end(session)
        return SetCookie.expired(LaunchSession.cookieName, path: "/").field
    }

    static func sessionCookie(_ value: String, expiresAt: Date, now: Date) -> HTTPField {
        SetCookie(name: LaunchSession.cookieName, value: value, path: "/", maxAge: max(0, Int(expiresAt.timeIntervalSince(now)))).field
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
