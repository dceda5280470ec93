import ArgumentParser
import Foundation

/// The `--config` option every subcommand shares, and loading the configuration with it.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "YAML configuration file. Default: \(LabGateConfig.defaultFile) if it exists, else the embedded defaults.",
        valueName: "file"))
    var config: String?

    /// The validated configuration; on a bad one, prints one line to standard error and exits with status 2.
    func load(overrides: [String: (value: String, option: String)] = [:]) throws -> LabGateConfig {
        do {
            return try ConfigLoader(environment: ProcessInfo.processInfo.environment).load(file: config, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("labgate: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
