import ArgumentParser
import Foundation
import LabGate

/// `labgate config`: inspecting the configuration.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect LabGate's configuration.",
        subcommands: [Check.self]
    )

    /// `labgate config check`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print every setting with its source; secrets are masked.",
            discussion: "Exit status 0 if it is valid, 2 (with one line saying what is wrong) if not."
        )

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try options.load()
            print(Self.render(config))
            for warning in FileExposure.warnings(config) + (await Self.platformWarnings(config)) {
                FileHandle.standardError.write(Data("labgate: warning: \(warning)\n".utf8))
            }
        }

        /// What the registered platforms call for (an issuer registered twice); nothing when
        /// there is no database yet, which `config check` never creates.
        static func platformWarnings(_ config: LabGateConfig) async -> [String] {
            if case .sqlite(let path) = config.database, !FileManager.default.fileExists(atPath: path) { return [] }
            do {
                let platforms = try await Backends.using(config) { try await $0.repositories.platforms.list() }
                return PlatformCommand.List.issuerWarnings(platforms)
            } catch {
                return ["the registered platforms could not be read: \(error)"]
            }
        }

        static func render(_ config: LabGateConfig) -> String {
            let width = config.settings.map(\.key.path.count).max() ?? 0
            var lines = config.settings.map { setting in
                let name = setting.key.path.padding(toLength: width, withPad: " ", startingAt: 0)
                return "\(name)  \(setting.displayValue)    [\(setting.source); \(setting.key.environmentName)]"
            }
            lines += config.platformWebServices
            lines.append("configuration is valid")
            return lines.joined(separator: "\n")
        }
    }
}
