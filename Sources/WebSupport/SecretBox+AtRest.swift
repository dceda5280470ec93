import Foundation
import LabCore

extension SecretBox {
    /// Seals values kept in the database under a key of their own purpose.
    public func atRest(purpose: String) -> some AtRestSealing {
        AtRestSeal(box: self, purpose: purpose)
    }
}

/// A `SecretBox` bound to one purpose, for the storage that keeps what it seals.
private struct AtRestSeal: AtRestSealing {
    public let box: SecretBox
    public let purpose: String

    public func seal(_ text: String) throws -> String {
        try box.seal(Data(text.utf8), purpose: purpose)
    }

    public func open(_ sealed: String) throws -> String {
        String(decoding: try box.open(sealed, purpose: purpose), as: UTF8.self)
    }
}
