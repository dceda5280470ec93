import Foundation
import LabCore

extension EnvironmentSpec {
    /// The environment record that stores this specification (as JSON), keeping `id`.
    public func environment(id: EnvironmentID = .random()) throws -> Environment {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(self), as: UTF8.self)
        return Environment(id: id, name: name, title: title ?? name, specification: json)
    }

    /// The specification stored in `environment`.
    public static func decode(_ environment: Environment) throws(ProvisioningError) -> EnvironmentSpec {
        do {
            return try JSONDecoder().decode(EnvironmentSpec.self, from: Data(environment.specification.utf8))
        } catch {
            throw .invalidEnvironment(name: environment.name, problems: ["its stored specification cannot be read: \(error)"])
        }
    }
}
