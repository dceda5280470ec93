import Foundation
import LTIGateway
import LabCore
import PlatformSim
import WebSupport

extension Backends {
    /// Migrates the configured database, registers the test platform (active) and saves
    /// `environment`: what the launch benchmark and the demo need before LabGate serves.
    package static func prepare(_ config: LabGateConfig, platform: PlatformSim, environment: LabCore.Environment) async throws {
        try await using(config) { backends in
            try await backends.migrate()
            try await PlatformRegistry(repository: backends.repositories.platforms).save(
                Platform(
                    issuer: platform.issuer, clientID: platform.clientID, authURL: platform.authURL, tokenURL: platform.tokenURL,
                    jwksURL: platform.jwksURL, createdAt: Date()),
                deployments: [platform.deploymentID], now: Date())
            _ = try await backends.repositories.environments.save(environment)
        }
    }

    /// Runs `body` on the configured storage, closed afterwards whatever `body` does.
    package static func using<T>(_ config: LabGateConfig, _ body: (Backends) async throws -> T) async throws -> T {
        let backends = try await Backends.open(config)
        let outcome = await Result.capturing { try await body(backends) }
        await backends.close()
        return try outcome.get()
    }
}
