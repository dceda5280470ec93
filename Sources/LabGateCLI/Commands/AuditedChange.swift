import Foundation
import LabCore
import LabGate
import Logging

/// A change a `labgate` command makes, for the audit trail, in the words the API's call of
/// the same operation writes (`APIRoute.audited`): `quota.set` on `quota/courses`. The actor
/// is `cli:<account>`.
struct AuditedChange {
    var action: String
    var subject: String

    init(_ action: String, _ subject: String) {
        self.action = action
        self.subject = subject
    }

    /// The account that ran the command: the one behind sudo when there is one.
    static var actor: String {
        let environment = ProcessInfo.processInfo.environment
        return "cli:" + (environment["SUDO_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.userName)
    }

    func record<T>(_ outcome: Result<T, any Error>, in backends: Backends, logger: Logger) async {
        var event = AuditEvent(at: Date(), actor: Self.actor, action: action, subject: subject)
        switch outcome {
        case .success: break
        case .failure(let refusal as AdminError):
            event.outcome = .refused
            event.detail = Self.words(refusal)
        case .failure(let error):
            // The API's mapping tells a refusal (4xx) from a failure.
            event.outcome = APIError(error).map { $0.status.code < 500 } == true ? .refused : .failed
            event.detail = "\(error)"
        }
        await AuditTrail.counted(backends.repositories.audit, logger: logger).record(event)
    }

    /// An admin refusal in the CLI's words: a field is named as its option (`expiresDays` → `--expires-days`).
    static func words(_ error: AdminError) -> String {
        guard case .invalid(let field, let message) = error, message.hasPrefix(field) else { return error.description }
        let option = field.replacingOccurrences(of: "MiB", with: "Mib").reduce(into: "--") { text, character in
            if character.isUppercase { text += "-" }
            text += character.lowercased()
        }
        return option + message.dropFirst(field.count)
    }
}
