import ArgumentParser
import Foundation
import LabCore
import LabGate
import Provisioning
import WebSupport

/// `labgate instance`: students' lab instances.
struct InstanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instance",
        abstract: "Create, list, show, start, stop, reset and delete lab instances.",
        discussion: """
            Each change is saved and handed to the workers; --wait follows it until the instance rests. \
            On the in-process queue (ephemeral.engine memory) this command does the work itself and always waits.
            """,
        subcommands: [
            Create.self, List.self, Show.self, Operate<StartOperation>.self, Operate<StopOperation>.self,
            Operate<ResetOperation>.self, Operate<DeleteOperation>.self,
        ]
    )

    /// `labgate instance create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request a user's instance of an environment (the existing one if they have one).")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The environment's name.") var environment: String
        @Option(help: "The user's LabGate id (labgate instance list shows them).") var user: String
        @Flag(help: "Wait until the instance is ready or has failed.") var wait = false

        func run() async throws {
            let instance = try await ProvisioningSession.run(options, audit: AuditedChange("instance.create", "instances")) { config, backends, runtime in
                let (instance, created) = try await Administration(
                    repositories: backends.repositories, operations: runtime.operations, queue: backends.queue, sessions: backends.sessions
                )
                .createInstance(userID: UserID(user), environmentName: environment)
                print("\(created ? "requested" : "already there"): \(instance.id)")
                guard wait || config.ephemeral == .memory else { return instance }
                return try await ProvisioningSession.settle(instance.id, config: config, backends: backends, runtime: runtime)
            }
            print(InstanceCommand.describe(instance))
            if instance.state == .failed { throw ExitCode(1) }
        }
    }

    /// `labgate instance list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List instances that are not deleted, oldest first.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this user's instances.") var user: String?
        @Flag(help: "Include deleted instances.") var all = false

        func run() async throws {
            let instances = try await AdminSession.run(options) { _, backends in
                if let user { return try await backends.repositories.instances.list(userID: UserID(user)) }
                let states = Set(LabInstanceState.allCases).subtracting(all ? [] : [.deleted])
                return try await backends.repositories.instances.list(states: states, limit: 10_000)
            }
            if instances.isEmpty { print("no lab instances") }
            for instance in instances where all || instance.state != .deleted {
                print(InstanceCommand.describe(instance))
            }
        }
    }

    /// `labgate instance show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one instance with the steps workers ran on it.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The instance id.") var id: String

        func run() async throws {
            let (instance, steps, checkpoints) = try await AdminSession.run(options) { _, backends in
                let repositories = backends.repositories
                guard let instance = try await repositories.instances.find(id: LabInstanceID(id)) else {
                    throw ProvisioningError.unknownInstance(id)
                }
                return (instance, try await repositories.instances.steps(of: instance.id), try await repositories.checkpoints.list(instanceID: instance.id))
            }
            print(InstanceCommand.describe(instance))
            if let reason = instance.failureReason { print("failed: \(reason)") }
            if let expiry = instance.expiresAt { print("expires: \(expiry.formatted(.iso8601))") }
            for checkpoint in checkpoints {
                let problem = checkpoint.problem.map { " — \($0)" } ?? ""
                print(
                    "checkpoint \(checkpoint.name)\t\(checkpoint.status.rawValue)\t\(checkpoint.createdAt.formatted(.iso8601))\t\(checkpoint.label)\(problem)")
            }
            for step in steps {
                for earlier in step.earlierAttempts { print("  \(step.name)\t\(earlier)") }
                let detail = step.error.map { " — \($0)" } ?? ""
                print("  \(step.name)\tattempt \(step.attempt)\t\(step.outcome.rawValue)\(detail)")
            }
        }
    }

    /// `labgate instance start|stop|reset|delete ID`.
    struct Operate<Kind: OperationKind>: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: Kind.operation.rawValue, abstract: Kind.abstract)
        }

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The instance id.") var id: String
        @Flag(help: "Wait until the instance rests again.") var wait = false

        func run() async throws {
            let audit = AuditedChange("instance.\(Kind.operation.rawValue)", "instance/\(id)")
            let instance = try await ProvisioningSession.run(options, audit: audit) { config, backends, runtime in
                let saved = try await runtime.operations.perform(Kind.operation, on: LabInstanceID(id))
                guard wait || config.ephemeral == .memory else { return saved }
                return try await ProvisioningSession.settle(saved.id, config: config, backends: backends, runtime: runtime)
            }
            print(InstanceCommand.describe(instance))
            if instance.state == .failed { throw ExitCode(1) }
        }
    }

    /// One line for people: id, state, user, node/VMID, address.
    static func describe(_ instance: LabInstance) -> String {
        let place = instance.vmid.map { "VM \($0) on \(instance.node ?? "?")" } ?? "no VM"
        return [
            instance.id.rawValue, instance.state.rawValue, "user \(instance.userID)", place, instance.address ?? "-",
            "since \(instance.updatedAt.formatted(.iso8601))",
        ].joined(separator: "\t")
    }
}

/// An instance operation as a subcommand.
protocol OperationKind: Sendable {
    static var operation: LabOperations.Operation { get }
    static var abstract: String { get }
}

enum StartOperation: OperationKind {
    static let operation = LabOperations.Operation.start
    static let abstract = "Start a stopped instance, or retry a failed one."
}

enum StopOperation: OperationKind {
    static let operation = LabOperations.Operation.stop
    static let abstract = "Shut an instance down (forced off after a minute)."
}

enum ResetOperation: OperationKind {
    static let operation = LabOperations.Operation.reset
    static let abstract = "Roll an instance back to the state it had when it was first ready."
}

enum DeleteOperation: OperationKind {
    static let operation = LabOperations.Operation.delete
    static let abstract = "Destroy an instance's VM and give back its VMID."
}
