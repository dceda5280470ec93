import GuacBridge
import Logging

extension GuacBridge {
    /// The bridge on these backends: Guacamole's shared key from the configuration, or
    /// (with no Guacamole to share it with) one derived from LabGate's secret.
    package static func open(_ config: LabGateConfig, backends: Backends, logger: Logger) throws -> GuacBridge {
        let authJSON: AuthJSON
        if let hexKey = config.guacamoleJSONKey {
            do {
                authJSON = try AuthJSON(hexKey: hexKey)
            } catch {
                throw DescribedFailure("guacamole.jsonSecretKey: \(error)")
            }
        } else {
            authJSON = AuthJSON(derivedFrom: backends.secret)
        }
        return GuacBridge(settings: config.guacamole, records: backends.guacamoleRecords, authJSON: authJSON, ephemeral: backends.ephemeral)
    }
}
