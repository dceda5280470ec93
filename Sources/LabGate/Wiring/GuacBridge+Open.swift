import GuacBridge
import Logging

extension GuacBridge {
    /// The bridge on these backends: Guacamole's shared key from the configuration, or
    /// (with no Guacamole to share it with) one derived from LabGate's secret.
    static func open(_ config: LabGateConfig, backends: Backends, logger: Logger) throws -> GuacBridge {
        let authJSON: AuthJSON
        if let hexKey = config.guacamoleJSONKey {
            do {
                authJSON = try AuthJSON(hexKey: hexKey)
            } catch {
                throw DescribedFailure("guacamole.jsonSecretKey: \(error)")
            }
        } else if config.guacamole.guacamoleURL != nil {
            throw DescribedFailure("guacamole.url is set, so guacamole.jsonSecretKey is needed: the json-secret-key of Guacamole's guacamole.properties")
        } else {
            authJSON = AuthJSON(derivedFrom: try SecretKeyLoader.load(config, logger: logger))
        }
        return GuacBridge(settings: config.guacamole, records: backends.guacamoleRecords, authJSON: authJSON, ephemeral: backends.ephemeral)
    }
}
