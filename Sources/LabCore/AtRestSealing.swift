/// Encrypts a value LabGate keeps in its database that a reader of the database must not
/// learn (a VM's guest password), and opens it again.
public protocol AtRestSealing: Sendable {
    func seal(_ text: String) throws -> String
    /// What `seal` made; throws when it was sealed under another secret or altered.
    func open(_ sealed: String) throws -> String
}
