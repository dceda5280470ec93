import Foundation
import Logging
import Provisioning
import Yams

/// Environments declared in `lti-config/environments/*.yaml`, one per file (see
/// `lti-config/environments/linux-desktop.yaml.example`).
package enum EnvironmentFiles {
    /// Every `*.yaml` file in `directory`, by name, decoded; none if the directory does not exist.
    static func load(directory: String) throws(DescribedFailure) -> [(file: String, spec: EnvironmentSpec)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var files: [(String, EnvironmentSpec)] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = directory + "/" + name
            files.append((path, try read(path)))
        }
        return files
    }

    /// One environment file, decoded.
    package static func read(_ path: String) throws(DescribedFailure) -> EnvironmentSpec {
        do {
            return try YAMLDecoder().decode(EnvironmentSpec.self, from: try String(contentsOfFile: path, encoding: .utf8))
        } catch let error as DecodingError {
            throw DescribedFailure("environment file \(path): \(DescribedFailure.describe(error))")
        } catch {
            throw DescribedFailure("environment file \(path): \(error.localizedDescription)")
        }
    }

    /// Adds every declared environment through `catalog`. A file that cannot work is
    /// logged and skipped, so one typo does not keep the gateway from starting.
    static func apply(directory: String, to catalog: EnvironmentCatalog, logger: Logger) async throws -> Int {
        var applied = 0
        for (file, spec) in try load(directory: directory) {
            do {
                try await catalog.add(spec)
                applied += 1
            } catch {
                logger.error("environment file not applied", metadata: ["file": .string(file), "problem": .string("\(error)")])
            }
        }
        return applied
    }
}
