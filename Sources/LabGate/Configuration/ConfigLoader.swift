import Foundation
import Yams

/// Reads and validates the configuration: defaults, then the YAML file, then the secrets among
/// systemd's credentials, then environment variables, then command-line options. Nothing is
/// created or written while loading.
package struct ConfigLoader {
    let environment: [String: String]
    /// The file read when none is named, if it exists; nil to read none (tests, tools).
    var defaultFile: String? = LabGateConfig.defaultFile

    package init(environment: [String: String], defaultFile: String? = LabGateConfig.defaultFile) {
        self.environment = environment
        self.defaultFile = defaultFile
    }

    /// Loads the configuration.
    /// - Parameters:
    ///   - file: the YAML file named with `--config` (it must exist), or nil for the
    ///     default file (used only if it exists).
    ///   - overrides: values from command-line options, by key path, with the option's name.
    package func load(file: String?, overrides: [String: (value: String, option: String)] = [:]) throws(ConfigError) -> LabGateConfig {
        var resolved: [String: (String, ResolvedSetting.Source)] = [:]
        for key in ConfigKey.all {
            resolved[key.path] = (key.defaultValue, .defaultValue)
        }

        if let path = file ?? defaultFile, file != nil || FileManager.default.fileExists(atPath: path) {
            for (keyPath, value) in try readFile(path) {
                resolved[keyPath] = (value, .file(path))
            }
        }
        // systemd's LoadCredential=database.password:/etc/labgate/… hands a secret over in a
        // file only this service can read, rather than in its environment.
        if let folder = environment["CREDENTIALS_DIRECTORY"] {
            for key in ConfigKey.all where key.isSecret {
                let path = folder + "/" + key.path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                resolved[key.path] = (text.trimmingCharacters(in: .newlines), .credential(path))
            }
        }
        for key in ConfigKey.all {
            if let value = environment[key.environmentName] {
                resolved[key.path] = (value, .environment(key.environmentName))
            }
        }
        for (keyPath, override) in overrides {
            guard ConfigKey.named(keyPath) != nil else {
                throw .unknownKey(key: keyPath, file: override.option)
            }
            resolved[keyPath] = (override.value, .commandLine(override.option))
        }

        var settings: [ResolvedSetting] = []
        for key in ConfigKey.all {
            let (value, source) = resolved[key.path]!
            guard key.accepts(value) else {
                throw .invalidValue(
                    key: key.path, value: key.isSecret ? "(hidden)" : value.debugDescription,
                    source: source.description, expected: key.expectation)
            }
            settings.append(ResolvedSetting(key: key, value: value, source: source))
        }
        // Settings checked against another: a VMID range must not be empty.
        let (vmidMax, maxSource) = resolved["provisioning.vmidMax"]!
        if Int(vmidMax)! < Int(resolved["provisioning.vmidMin"]!.0)! {
            throw .invalidValue(
                key: "provisioning.vmidMax", value: vmidMax.debugDescription, source: maxSource.description,
                expected: "a VMID not below provisioning.vmidMin (\(resolved["provisioning.vmidMin"]!.0))")
        }
        for rule in Self.requirements {
            let (value, source) = resolved[rule.when]!
            guard rule.matches(value), resolved[rule.needs]!.0.isEmpty else { continue }
            throw .invalidValue(key: rule.needs, value: "(not set)", source: source.description, expected: rule.because)
        }
        return LabGateConfig(settings: settings)
    }

    /// A setting that must be set when another has a certain value.
    private struct Requirement: Sendable {
        var when: String
        var matches: @Sendable (String) -> Bool
        var needs: String
        var because: String
    }

    private static let requirements = [
        Requirement(
            when: "guacamole.url", matches: { !$0.isEmpty }, needs: "guacamole.jsonSecretKey",
            because: "the json-secret-key of Guacamole's guacamole.properties (32 hex digits), since guacamole.url is set"),
        Requirement(
            when: "proxmox.url", matches: { !$0.isEmpty }, needs: "proxmox.tokenId",
            because: "an API token id, USER@REALM!TOKENID, since proxmox.url is set"),
        Requirement(
            when: "proxmox.url", matches: { !$0.isEmpty }, needs: "proxmox.tokenSecret",
            because: "the API token's secret, since proxmox.url is set"),
        Requirement(
            when: "proxmox.trust", matches: { $0 == "ca" }, needs: "proxmox.caFile",
            because: "the PEM file of the cluster's CA (/etc/pve/pve-root-ca.pem), since proxmox.trust is ca"),
        Requirement(
            when: "proxmox.trust", matches: { $0 == "pinned" }, needs: "proxmox.fingerprint",
            because: "the certificate's SHA-256 fingerprint, since proxmox.trust is pinned"),
    ]

    /// The file's settings as dotted key paths.
    private func readFile(_ path: String) throws(ConfigError) -> [(String, String)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedFailureReason ?? "\(error.localizedDescription)")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw .malformedFile(path: path, reason: "\(error)".split(separator: "\n").first.map(String.init) ?? "")
        }
        guard let document else { return [] }
        guard let root = document as? [String: Any] else {
            throw .malformedFile(path: path, reason: "the top level must be a mapping of sections such as `server:` and `database:`")
        }
        var flat: [(String, String)] = []
        try flatten(root, prefix: "", file: path, into: &flat)
        return flat
    }

    private func flatten(_ mapping: [String: Any], prefix: String, file: String, into flat: inout [(String, String)]) throws(ConfigError) {
        for (name, value) in mapping.sorted(by: { $0.key < $1.key }) {
            let keyPath = prefix + name
            if let section = value as? [String: Any] {
                try flatten(section, prefix: keyPath + ".", file: file, into: &flat)
                continue
            }
            guard let key = ConfigKey.named(keyPath) else { throw .unknownKey(key: keyPath, file: file) }
            switch value {
            case let bool as Bool: flat.append((key.path, bool ? "true" : "false"))
            case let int as Int: flat.append((key.path, String(int)))
            case let string as String: flat.append((key.path, string))
            case is NSNull: flat.append((key.path, ""))
            case let double as Double: flat.append((key.path, String(double)))
            default: throw .notAScalar(key: keyPath, file: file)
            }
        }
    }
}
