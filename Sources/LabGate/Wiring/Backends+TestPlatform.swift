import Foundation
import LTIGateway
import LabCore
import PlatformSim

extension Backends {
    /// Migrates the configured database, registers the test platform (active) and saves
    /// `environment`: what the launch benchmark and the demo need before LabGate serves.
    static func prepare(_ config: LabGateConfig, platform: PlatformSim, environment: LabCore.Environment) async throws {
        let backends = try await Backends.open(config)
        do {
            try await backends.migrate()
            try await PlatformRegistry(repository: backends.repositories.platforms).save(
                Platform(issuer: platform.issuer, clientID: platform.clientID, authURL: platform.authURL, tokenURL: platform.tokenURL,
                         jwksURL: platform.jwksURL, createdAt: Date()),
                deployments: [platform.deploymentID], now: Date())
            _ = try await backends.repositories.environments.save(environment)
        } catch {
            await backends.close()
            throw error
        }
        await backends.close()
    }
}
