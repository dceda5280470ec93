import Foundation

/// The files and folders holding LabGate's secrets (the database with the guest passwords
/// and token hashes, the secret key file, Moodle web-service tokens) that other local accounts can read.
package enum FileExposure {
    /// One warning per exposed path, with the command that closes it.
    package static func warnings(_ config: LabGateConfig) -> [String] {
        var files: [String] = []
        if case .sqlite(let path) = config.database, path != ":memory:" { files += [path, path + "-wal", path + "-shm"] }
        if config.secretKey == nil { files.append(config.secretKeyFile) }
        files += ((try? PlatformFile.load(directory: config.platformsDirectory)) ?? []).compactMap { $0.platform.webServices?.tokenFile }
        let folders = Set(files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
            .subtracting([FileManager.default.currentDirectoryPath])
        return folders.sorted().compactMap { warning($0, private: 0o700) } + files.compactMap { warning($0, private: 0o600) }
    }

    private static func warning(_ path: String, private mode: Int) -> String? {
        guard let permissions = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
            permissions & 0o077 != 0
        else { return nil }
        return "\(path) can be read by other local accounts (mode \(String(permissions, radix: 8))): chmod \(String(mode, radix: 8)) \(path)"
    }
}
