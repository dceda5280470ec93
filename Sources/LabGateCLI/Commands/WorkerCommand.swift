import ArgumentParser
import Foundation
import LTIGateway
import LabGate
import Logging
import ServiceLifecycle

/// `labgate worker`: runs background jobs from the queue.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run background jobs (provisioning steps) from the job queue.",
        discussion: """
            Run as many workers as you like, on as many machines, against one Redis: each job goes to one \
            worker, and the jobs of a worker that dies go to another after queue.visibilityTimeoutSeconds. \
            Stops gracefully on SIGTERM or SIGINT after finishing the jobs it holds. \
            On the embedded defaults (ephemeral.engine: memory) `labgate serve` runs the jobs itself.
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        guard case .redis = config.ephemeral else {
            FileHandle.standardError.write(
                Data(
                    """
                    labgate: a separate worker needs a shared queue: set ephemeral.engine to redis \
                    (on the embedded defaults `labgate serve` runs the jobs itself)

                    """.utf8))
            throw ExitCode(2)
        }
        LoggingSetup.bootstrap(config)
        let logger = config.logger(label: "labgate.worker")
        let backends = try await Backends.open(config)
        if config.migrateOnStart { try await backends.migrate(logger: logger) }
        let provisioning = try await ProvisioningRuntime.open(config, backends: backends, logger: logger)
        let lti = LTIService.open(config, backends: backends, labs: provisioning.operations, logger: logger)
        let ltiJobs = lti.jobs(backends, config: config, logger: logger)
        let worker = JobWorker(backends: backends, provisioning: provisioning, lti: ltiJobs, config: config, logger: logger)
        let reconciler = ReconcilerService(reconciler: provisioning.reconciler, interval: config.reconcileInterval, logger: logger)
        var services: [any Service] = [
            worker, reconciler, RosterService(rosters: ltiJobs.rosters, logger: logger), ShutdownHook { await provisioning.shutdown() },
            ShutdownHook { await lti.shutdown() }, backends,
        ]
        if let endpoints = buildWorkerEndpoints(config: config, backends: backends, webServices: lti.webServices, logger: logger) {
            services.insert(endpoints, at: 0)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
