import Foundation

public typealias EnvironmentID = Identifier<Environment>

/// A lab a course can use: which templates to clone and how, under a unique name.
///
/// The VM specification belongs to provisioning and is kept as JSON text here, so the
/// relational schema does not change each time an option is added to it.
public struct Environment: Sendable, Hashable, Codable {
    public var id: EnvironmentID
    public var name: String
    public var title: String
    public var specification: String

    public init(id: EnvironmentID = .random(), name: String, title: String, specification: String = "{}") {
        self.id = id
        self.name = name
        self.title = title
        self.specification = specification
    }
}
