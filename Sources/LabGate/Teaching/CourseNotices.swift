import Foundation
import LTIGateway
import LabCore
import WebSupport

/// The line a course page shows after a form did something. The redirect carries only a
/// random code; the text stays in the ephemeral store for its teacher, so a link can make
/// the page say nothing LabGate did not write.
struct CourseNotices: Sendable {
    let ephemeral: any EphemeralStore
    static let lifetime = Duration.seconds(300)

    private static func key(_ code: String) -> String { "course-notice:" + code }

    /// Keeps `text` for `user` and returns its code.
    func post(_ text: String, for user: UserID) async throws -> String {
        let code = RandomToken.make()
        try await ephemeral.set(Self.key(code), to: user.rawValue + "\n" + text, ttl: Self.lifetime)
        return code
    }

    /// The text of `code`, if it was posted for `user`; nil for any other code.
    func text(of code: String?, for user: UserID) async throws -> String? {
        guard let code, code.count <= 64, let record = try await ephemeral.get(Self.key(code)),
            let newline = record.firstIndex(of: "\n"), record[..<newline] == user.rawValue
        else { return nil }
        return String(record[record.index(after: newline)...])
    }
}
