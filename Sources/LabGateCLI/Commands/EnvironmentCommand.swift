import ArgumentParser
import Foundation
import LabGate

/// `labgate env`: the environments (labs) courses can use.
struct EnvironmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Add, list and remove environments: what LabGate clones for each student.",
        discussion: "The same catalog as provisioning.environmentsDirectory (lti-config/environments/*.yaml), applied when serve starts.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    /// `labgate env add FILE`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an environment from a YAML file (or replace the one of its name), once Proxmox confirms its template and node.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The environment's YAML file (see lti-config/environments/linux-desktop.yaml.example).") var file: String

        func run() async throws {
            let spec = try EnvironmentFiles.read(file)
            let environment = try await ProvisioningSession.run(options, audit: AuditedChange("env.add", "environment/\(spec.name)")) { _, _, runtime in
                try await runtime.catalog.add(spec)
            }
            print("environment \(environment.name) saved (template \(spec.primary.template), \(spec.primary.clone.rawValue) clone)")
        }
    }

    /// `labgate env list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the environments with their template, size and access.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let all = try await ProvisioningSession.run(options) { _, _, runtime in try await runtime.catalog.list() }
            if all.isEmpty { print("no environments (labgate env add FILE, or a file in lti-config/environments/)") }
            for (environment, spec) in all {
                let vm = spec.primary
                let size = [vm.cores.map { "\($0) cores" }, vm.memoryMiB.map { "\($0) MiB" }].compactMap { $0 }.joined(separator: ", ")
                let more = spec.vms.count > 1 ? " + \(spec.vms.count - 1) more VM(s)" : ""
                print(
                    [
                        environment.name, environment.title, "template \(vm.template) (\(vm.clone.rawValue))\(more)", size.isEmpty ? "template's size" : size,
                        "\(spec.access.protocol.rawValue):\(spec.access.port)", "lifetime \(spec.lifetimeMinutes) min",
                    ].joined(separator: "\t"))
            }
        }
    }

    /// `labgate env remove NAME`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an environment; activities bound to it become unbound.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The environment's name.") var name: String

        func run() async throws {
            try await AdminSession.run(options, audit: AuditedChange("env.remove", "environment/\(name)")) { _, backends in
                try await Administration(backends).removeEnvironment(name: name)
            }
            print("environment \(name) removed")
        }
    }
}
