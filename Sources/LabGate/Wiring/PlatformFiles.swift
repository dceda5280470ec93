import Foundation
import LTIGateway
import LabCore
import WebSupport
import Yams

/// Platforms declared in `lti-config/platforms/*.yaml`, one per file:
///
/// ```yaml
/// issuer: https://moodle.example.edu
/// clientId: Xy12abc
/// deploymentIds: ["1"]
/// authUrl: https://moodle.example.edu/mod/lti/auth.php
/// tokenUrl: https://moodle.example.edu/mod/lti/token.php
/// jwksUrl: https://moodle.example.edu/mod/lti/certs.php
/// ```
struct PlatformFile: Decodable, Sendable {
    var issuer: String
    var clientId: String
    var deploymentIds: [String]
    var authUrl: String
    var tokenUrl: String
    var jwksUrl: String

    /// Why a platform file was refused.
    typealias Failure = DescribedFailure

    /// Every `*.yaml` file in `directory`, by name; none if the directory does not exist.
    static func load(directory: String) throws -> [(file: String, platform: PlatformFile)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return try names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { name in
            let path = directory + "/" + name
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let file = try YAMLDecoder().decode(PlatformFile.self, from: text)
                guard !file.deploymentIds.isEmpty else { throw Failure("deploymentIds is empty") }
                return (path, file)
            } catch let error as DecodingError {
                throw Failure("platform file \(path): \(DescribedFailure.describe(error))")
            } catch {
                throw Failure("platform file \(path): \(error)")
            }
        }
    }

    /// Registers (or updates) every declared platform as active.
    static func apply(directory: String, to registry: PlatformRegistry) async throws -> Int {
        let files = try load(directory: directory)
        for (_, file) in files {
            try await registry.save(file.platform, deployments: file.deploymentIds, now: Date())
        }
        return files.count
    }

    var platform: Platform {
        Platform(issuer: issuer, clientID: clientId, authURL: authUrl, tokenURL: tokenUrl, jwksURL: jwksUrl, status: .active, createdAt: Date())
    }
}
