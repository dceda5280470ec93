import Foundation
import Logging

/// LabGate's one secret, from configuration or from its key file, created on first start
/// so the embedded defaults need no setup.
enum SecretKeyLoader {
    static let minimumLength = 32

    static func load(_ config: LabGateConfig, logger: Logger) throws -> Data {
        if let secret = config.secretKey {
            guard secret.utf8.count >= minimumLength else {
                throw DescribedFailure("security.secretKey must be at least \(minimumLength) characters long")
            }
            return Data(secret.utf8)
        }
        let path = config.secretKeyFile
        if let existing = FileManager.default.contents(atPath: path) {
            guard existing.count >= minimumLength else {
                throw DescribedFailure("the secret key file \(path) holds fewer than \(minimumLength) bytes")
            }
            return existing
        }
        var generator = SystemRandomNumberGenerator()
        let secret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: secret, attributes: [.posixPermissions: 0o600]) else {
            throw DescribedFailure("cannot create the secret key file \(path)")
        }
        logger.notice("created a new secret key file; every process of this installation needs the same one",
                      metadata: ["path": .string(path)])
        return secret
    }
}
