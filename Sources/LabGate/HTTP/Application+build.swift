import Hummingbird
import Logging

/// Builds the LabGate HTTP application from its configuration: storage, routes, middleware.
/// `labgate serve` runs what this returns; the tests drive the very same application.
func buildApplication(config: LabGateConfig) async throws -> some ApplicationProtocol {
    let logger = config.logger(label: "labgate")
    _ = PrometheusMetrics.registry

    let backends = try await Backends.open(config)
    let router = Router(context: BasicRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        AccessLogMiddleware()
        MetricsMiddleware()
        ErrorMappingMiddleware()
    }
    router.addRoutes(HealthController(backends: backends).endpoints)
    router.addRoutes(PrometheusMetrics.endpoints)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "LabGate"),
        services: [backends],
        logger: logger)
    if case .memory = config.ephemeral {
        // An in-process queue is seen by this process only, so this process runs its jobs.
        app.addServices(JobWorker(backends: backends, config: config, logger: logger))
    }
    if config.migrateOnStart {
        app.beforeServerStarts { [logger] in try await backends.migrate(logger: logger) }
    }
    return app
}
