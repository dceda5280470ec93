import Hummingbird
import LTIGateway
import Logging
import ServiceLifecycle

/// Builds the LabGate HTTP application from its configuration: storage, routes, middleware.
/// `labgate serve` runs what this returns; the tests drive the very same application.
func buildApplication(config: LabGateConfig) async throws -> some ApplicationProtocol {
    let logger = config.logger(label: "labgate")
    _ = PrometheusMetrics.registry

    let backends = try await Backends.open(config)
    let lti = try LTIService.open(config, backends: backends, logger: logger)
    let router = Router(context: BasicRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        AccessLogMiddleware()
        MetricsMiddleware()
        ErrorMappingMiddleware()
    }
    router.addRoutes(HealthController(backends: backends).endpoints)
    router.addRoutes(PrometheusMetrics.endpoints)
    router.addRoutes(LTIController(service: lti).endpoints, atPath: "/lti")

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "LabGate"),
        services: [backends, ShutdownHook { await lti.shutdown() }],
        logger: logger)
    if case .memory = config.ephemeral {
        // An in-process queue is seen by this process only, so this process runs its jobs.
        app.addServices(JobWorker(backends: backends, config: config, logger: logger))
    }
    app.beforeServerStarts { [logger] in
        if config.migrateOnStart { try await backends.migrate(logger: logger) }
        try await lti.prepare(platformsDirectory: config.platformsDirectory, logger: logger)
    }
    return app
}
