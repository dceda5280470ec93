import ArgumentParser
import LabCore
import LabGate

/// `labgate quota`: ceilings on the labs that run at once, globally, per course and per student.
struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota",
        abstract: "List, set and remove quotas.",
        discussion: """
            A scope is global (everything LabGate runs), courses (each course without a quota of its own), \
            course:<course id> (one course) or students (each student; only --instances applies). \
            A launch over a quota is refused with a message for the student; labs already running are kept.
            """,
        subcommands: [List.self, Set.self, Remove.self]
    )

    /// `labgate quota list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the quotas with their limits.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let quotas = try await AdminSession.run(options) { _, backends in try await backends.repositories.quotas.list() }
            if quotas.isEmpty { print("no quotas: nothing but the cluster limits the labs (labgate quota set SCOPE …)") }
            for quota in quotas {
                let limits = [("instances", quota.instances), ("cores", quota.cores), ("memory MiB", quota.memoryMiB), ("checkpoints", quota.checkpoints)]
                print(([quota.scope.description] + limits.map { "\($0.0) \($0.1.map(String.init) ?? "-")" }).joined(separator: "\t"))
            }
        }
    }

    /// `labgate quota set SCOPE`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the quota of a scope; a limit left out is no limit.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "global, courses, course:<course id> or students.") var scope: Quota.Scope
        @Option(help: "Live lab instances at once.") var instances: Int?
        @Option(help: "Cores their VMs hold.") var cores: Int?
        @Option(name: .customLong("memory-mib"), help: "Memory their VMs hold, in MiB.") var memoryMiB: Int?
        @Option(help: "Checkpoints students keep in the labs at once.") var checkpoints: Int?

        func run() async throws {
            let quota = try await AdminSession.run(options, audit: AuditedChange("quota.set", "quota/\(scope)")) { _, backends in
                try await Administration(backends).setQuota(
                    scope, QuotaLimits(instances: instances, cores: cores, memoryMiB: memoryMiB, checkpoints: checkpoints))
            }
            print("quota \(quota.scope) set")
        }
    }

    /// `labgate quota remove SCOPE`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the quota of a scope.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "global, courses, course:<course id> or students.") var scope: Quota.Scope

        func run() async throws {
            try await AdminSession.run(options, audit: AuditedChange("quota.remove", "quota/\(scope)")) { _, backends in
                try await Administration(backends).removeQuota(scope)
            }
            print("quota \(scope) removed")
        }
    }
}

extension Quota.Scope: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
