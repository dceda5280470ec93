import ArgumentParser
import Foundation
import LabGate

/// The `--config` option every subcommand shares, and loading the configuration with it.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "YAML configuration file. Default: \(LabGateConfig.defaultFile) if it exists, else the embedded defaults.",
            valueName: "file"))
    var config: String?

    /// The validated configuration, with the secret key file it names; on a bad one, prints
    /// one line to standard error and exits with status 2. From here on, every file and
    /// folder the process makes is its own account's only.
    func load(overrides: [String: (value: String, option: String)] = [:]) throws -> LabGateConfig {
        umask(0o077)
        do {
            let loaded = try ConfigLoader(environment: ProcessInfo.processInfo.environment).load(file: config, overrides: overrides)
            _ = try SecretKeyLoader.existing(loaded)
            return loaded
        } catch {
            FileHandle.standardError.write(Data("labgate: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
