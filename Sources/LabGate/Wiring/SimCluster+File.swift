import Foundation
import PVESim
import Yams

extension SimCluster {
    /// The simulated cluster a YAML file describes (`labgate pve-sim --config`, `proxmox.simulatorConfig`).
    package static func load(from path: String) throws(DescribedFailure) -> SimCluster {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try SimCluster(configuration: try YAMLDecoder().decode(SimConfiguration.self, from: text))
        } catch let error as SimConfigurationError {
            throw DescribedFailure("\(path): \(error.description)")
        } catch let error as DecodingError {
            throw DescribedFailure("\(path): \(DescribedFailure.describe(error))")
        } catch {
            throw DescribedFailure("cannot read \(path): \(error.localizedDescription)")
        }
    }
}
