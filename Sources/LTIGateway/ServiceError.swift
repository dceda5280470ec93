import Foundation
import NIOCore

/// Why a call to a platform's service (a token, a score, a line item) did not succeed.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// For now: the platform is down, slow or answered 5xx; the call is worth repeating later.
    case unavailable(String)
    /// For good: the platform refused (4xx), in its words.
    case refused(status: Int, words: String)
    /// The platform did not grant the scope the call needs.
    case notGranted(scope: String)
    /// The URL the platform named is not one LabGate calls (another host, not https).
    case badURL(String)

    public var description: String {
        switch self {
        case .unavailable(let why): why
        case .refused(let status, let words): "refused (\(status)): \(words)"
        case .notGranted(let scope): "the platform did not grant \(scope)"
        case .badURL(let why): why
        }
    }

    /// What the platform said: a JSON `reason`, `error_description` or `error`, else the
    /// start of the body (Moodle puts its reason in the status line and the body alike).
    static func words(of answer: OutboundHTTP.Answer) -> String {
        let text = String(buffer: answer.body)
        if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            for key in ["reason", "error_description", "error"] { if let words = json[key] as? String, !words.isEmpty { return words } }
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "HTTP \(answer.status)" : String(trimmed.prefix(300))
    }
}
