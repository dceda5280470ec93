import Foundation
import LabCore
import Logging

/// LabGate's one secret, from configuration or from its key file, created on first start
/// so the embedded defaults need no setup.
package enum SecretKeyLoader {
    static let minimumLength = 32

    static func load(_ config: LabGateConfig, logger: Logger) throws -> Data {
        // Its length was checked with the rest of the configuration.
        if let secret = config.secretKey { return Data(secret.utf8) }
        if let existing = try existing(config) { return existing }
        return try create(config.secretKeyFile, logger: logger)
    }

    /// The key file's secret, nil when there is no file yet; refuses a file too short to be one.
    package static func existing(_ config: LabGateConfig) throws(DescribedFailure) -> Data? {
        guard config.secretKey == nil, let data = FileManager.default.contents(atPath: config.secretKeyFile) else { return nil }
        guard data.count >= minimumLength else {
            throw DescribedFailure(
                "the secret key file \(config.secretKeyFile) holds \(data.count) bytes, fewer than \(minimumLength): restore the installation's key file (every process needs the same one), or remove it before the very first start"
            )
        }
        return data
    }

    /// Writes a new secret where no process has yet. The key goes to a private file first and
    /// is then linked under its name, which fails if the name exists: of processes that start
    /// together on a fresh install exactly one key wins, and the others read that one.
    private static func create(_ path: String, logger: Logger) throws -> Data {
        let secret = Data(SecureRandom.bytes(32))
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let draft = path + ".\(getpid()).\(UInt32.random(in: .min ... .max)).new"
        guard FileManager.default.createFile(atPath: draft, contents: secret, attributes: [.posixPermissions: 0o600]) else {
            throw DescribedFailure("cannot create the secret key file \(path): the folder \(folder) is not writable")
        }
        defer { unlink(draft) }
        guard link(draft, path) == 0 else {
            guard errno == EEXIST, let winner = FileManager.default.contents(atPath: path), winner.count >= minimumLength else {
                throw DescribedFailure("cannot create the secret key file \(path): \(String(cString: strerror(errno)))")
            }
            return winner
        }
        logger.notice(
            "created a new secret key file; every process of this installation needs the same one",
            metadata: ["path": .string(path)])
        return secret
    }
}
