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
/// webServices:                       # optional: Moodle's web services
///   siteUrl: https://moodle.example.edu
///   tokenFile: /etc/labgate/moodle.token
/// ```
struct PlatformFile: Decodable, Sendable {
    var issuer: String
    var clientId: String
    var deploymentIds: [String]
    var authUrl: String
    var tokenUrl: String
    var jwksUrl: String
    var webServices: WebServices?

    /// A Moodle site and the file holding its web-service token (a file, so the token stays
    /// out of a configuration that is shown and copied around).
    struct WebServices: Decodable, Sendable {
        var siteUrl: String
        var tokenFile: String

        /// The token, trimmed of a line end.
        func token() throws -> String {
            guard let data = FileManager.default.contents(atPath: tokenFile) else { throw Failure("cannot read webServices.tokenFile \(tokenFile)") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

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

    /// Registers (or updates) every declared platform as active, with its web services.
    static func apply(directory: String, to registry: PlatformRegistry, webServices: MoodleWebServices) async throws -> Int {
        let files = try load(directory: directory)
        for (path, file) in files {
            let platform = try await registry.save(file.platform, deployments: file.deploymentIds, now: Date())
            guard let access = file.webServices else { continue }
            do {
                try await webServices.configure(platform.id, siteURL: access.siteUrl, token: try access.token(), now: Date())
            } catch {
                throw Failure("platform file \(path): webServices: \(error)")
            }
        }
        return files.count
    }

    var platform: Platform {
        Platform(issuer: issuer, clientID: clientId, authURL: authUrl, tokenURL: tokenUrl, jwksURL: jwksUrl, status: .active, createdAt: Date())
    }
}

extension LabGateConfig {
    /// One line per platform file with web services, for `config check`: the token's file is
    /// named, the token itself never shown.
    package var platformWebServices: [String] {
        ((try? PlatformFile.load(directory: platformsDirectory)) ?? []).compactMap { path, file in
            file.webServices.map { "platform file \(path): web services at \($0.siteUrl), token (hidden) read from \($0.tokenFile)" }
        }
    }
}
