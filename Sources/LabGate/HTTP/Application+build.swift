import Hummingbird
import LTIGateway
import Logging
import ServiceLifecycle
import WebSupport

/// Builds the LabGate HTTP application from its configuration: storage, routes, middleware.
/// `labgate serve` runs what this returns; the tests drive the very same application.
package func buildApplication(config: LabGateConfig) async throws -> some ApplicationProtocol {
    let logger = config.logger(label: "labgate")
    _ = PrometheusMetrics.registry

    for warning in FileExposure.warnings(config) { logger.warning("\(warning)") }

    let backends = try await Backends.open(config)
    let provisioning: ProvisioningRuntime
    do {
        // Before any service starts, as `labgate worker` does: the job worker, the reconciler and
        // the class preparer read the schema from their first moment.
        if config.migrateOnStart { try await backends.migrate(logger: logger) }
        provisioning = try await ProvisioningRuntime.open(config, backends: backends, logger: logger)
    } catch {
        // No service runs yet to close them on shutdown.
        await backends.close()
        throw error
    }
    let lti = LTIService.open(config, backends: backends, labs: provisioning.operations, logger: logger)
    let ltiJobs = lti.jobs(backends, config: config, logger: logger)
    let router = Router(context: LabGateRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        SecurityHeadersMiddleware { await lti.frameAncestors() }
        AccessLogMiddleware()
        KnownMethodsMiddleware()
        RequestMetricsMiddleware()
        ErrorMappingMiddleware()
    }
    router.addRoutes(HealthController(backends: backends, webServices: lti.webServices).endpoints)
    router.addRoutes(StaticAssets.bundled.endpoints(context: LabGateRequestContext.self))
    router.addRoutes(PrometheusMetrics.endpoints(tokens: APITokens(repository: backends.repositories.apiTokens), backends: backends))
    router.addRoutes(LTIController(service: lti).endpoints, atPath: "/lti")
    APIController(
        tokens: APITokens(repository: backends.repositories.apiTokens),
        admin: Administration(
            repositories: backends.repositories, operations: provisioning.operations, queue: backends.queue, sessions: backends.sessions,
            platforms: lti.registry), proxmox: provisioning.lifecycle.proxmox, catalog: provisioning.catalog, memoryCeiling: config.provisioning.memoryCeiling,
        audit: provisioning.operations.audit, trustForwardedFor: config.lti.trustForwardedFor,
        registrationURL: config.lti.registrationURL
    ).register(on: router)
    router.addRoutes(
        CourseController(
            web: lti.web, repositories: backends.repositories, operations: provisioning.operations, desktops: provisioning.desktops,
            limits: config.courseLimits,
            audit: provisioning.operations.audit, notices: CourseNotices(ephemeral: backends.ephemeral), lti: ltiJobs,
            webServices: lti.webServices
        ).endpoints)
    router.addRoutes(LogoutController(web: lti.web).endpoints)
    router.addRoutes(
        StudentPathController(
            web: lti.web, repositories: backends.repositories, operations: provisioning.operations, desktops: provisioning.desktops, grades: ltiJobs.grades,
            checks: provisioning.stack.checks, ephemeral: backends.ephemeral
        ).endpoints)

    var app = Application(
        router: router,
        server: .labGate(idleTimeout: config.idleTimeout),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "LabGate"),
        services: [backends, ShutdownHook { await lti.shutdown() }, ShutdownHook { await provisioning.shutdown() }],
        logger: logger)
    if config.workerInProcess {
        // Always so on an in-process queue, which no other process can see.
        app.addServices(
            JobWorker(backends: backends, provisioning: provisioning, lti: ltiJobs, config: config, logger: logger),
            ReconcilerService(reconciler: provisioning.reconciler, interval: config.reconcileInterval, logger: logger),
            RosterService(rosters: ltiJobs.rosters, logger: logger))
    }
    app.beforeServerStarts { [logger] in
        try await lti.prepare(platformsDirectory: config.platformsDirectory, logger: logger)
        let count = try await EnvironmentFiles.apply(directory: config.environmentsDirectory, to: provisioning.catalog, logger: logger)
        if count > 0 {
            logger.info("applied environment files", metadata: ["count": .stringConvertible(count), "directory": .string(config.environmentsDirectory)])
        }
    }
    return app
}
