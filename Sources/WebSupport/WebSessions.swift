import Foundation
import HTTPTypes
import Hummingbird
import LabCore

/// The browser's side of a session, for every page: the signed cookie a launch sets, the
/// CSRF token its forms carry, and window passes that open one lab's page in a window of
/// its own. LTI begins sessions; the pages only read them.
public struct WebSessions: Sendable {
    public let store: SessionStore
    public let box: SecretBox
    /// Whether `X-Forwarded-For` from a loopback proxy names the client (`server.trustForwardedFor`).
    public let trustForwardedFor: Bool
    /// Where LabGate is served, to tell a request from its own pages from a cross-site one.
    public let publicURL: String

    public init(store: SessionStore, box: SecretBox, trustForwardedFor: Bool, publicURL: String) {
        self.store = store
        self.box = box
        self.trustForwardedFor = trustForwardedFor
        self.publicURL = publicURL
    }

    /// The launch session of the browser that sent `request`, if its cookie is genuine, fresh and not ended.
    public func session(of request: Request, now: Date = Date()) async throws -> LaunchSession? {
        guard let cookie = request.cookie(LaunchSession.cookieName) else { return nil }
        return try await store.current(cookie, now: now)
    }

    /// Lists `session` (ending the browser's previous one) and returns the `Set-Cookie` that
    /// carries it and the CSRF token of its forms.
    public func begin(_ session: LaunchSession, replacing request: Request, now: Date) async throws -> (cookie: HTTPField, csrf: String) {
        // The browser's previous session ends whether or not it still counts, so only its
        // cookie's seal is checked: reading the session first would take three commands more.
        let previous = request.cookie(LaunchSession.cookieName).flatMap { LaunchSession.unsealed($0, box: box, now: now) }
        let cookie = try await store.begin(session, ending: previous)
        return (Self.sessionCookie(cookie, expiresAt: session.expiresAt, now: now), csrfToken(sessionCookie: cookie))
    }

    /// The CSRF token the forms of `request`'s session carry, if it has one.
    public func csrfToken(of request: Request) -> String? {
        guard let cookie = request.cookie(LaunchSession.cookieName) else { return nil }
        return csrfToken(sessionCookie: cookie)
    }

    /// The CSRF token of the forms shown to the holder of a session cookie.
    public func csrfToken(sessionCookie: String) -> String {
        box.tag(Data(sessionCookie.utf8), purpose: "csrf")
    }

    /// Whether a posted form's `token` is the one of the session that sent it, compared in
    /// constant time so its timing says nothing of the right one.
    public func isValidCSRFToken(_ token: String?, of request: Request) -> Bool {
        guard let token, let expected = csrfToken(of: request) else { return false }
        return Self.constantTimeEqual(Array(token.utf8), Array(expected.utf8))
    }

    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A single-use pass, good for two minutes, that opens `instance`'s page in this
    /// browser's session in a window of its own (where the cookie of Moodle's iframe,
    /// kept in the platform site's jar, is not sent).
    public func windowPass(of request: Request, instance: LabInstanceID) async throws -> String? {
        guard let cookie = request.cookie(LaunchSession.cookieName) else { return nil }
        return try await store.issuePass(for: cookie, instance: instance.rawValue)
    }

    /// Spends a window pass for `instance`: the session it carries and the `Set-Cookie` that
    /// puts the session in this window's browser; nil if the pass is not good.
    public func redeemWindowPass(_ pass: String, instance: LabInstanceID, now: Date = Date()) async throws -> (LaunchSession, HTTPField)? {
        guard let cookie = try await store.redeemPass(pass, instance: instance.rawValue),
            let session = try await store.current(cookie, now: now)
        else { return nil }
        return (session, Self.sessionCookie(cookie, expiresAt: session.expiresAt, now: now))
    }

    /// Ends the browser's session and returns the `Set-Cookie` that forgets it.
    public func logout(_ session: LaunchSession) async throws -> HTTPField {
        try await store.end(session)
        return SetCookie.expired(LaunchSession.cookieName, path: "/").field
    }

    public static func sessionCookie(_ value: String, expiresAt: Date, now: Date) -> HTTPField {
        SetCookie(name: LaunchSession.cookieName, value: value, path: "/", maxAge: max(0, Int(expiresAt.timeIntervalSince(now)))).field
    }
}
