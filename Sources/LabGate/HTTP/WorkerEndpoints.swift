import Hummingbird
import LTIGateway
import Logging
import ServiceLifecycle

/// The few routes a `labgate worker` answers on `worker.port`: liveness, readiness and metrics,
/// so an orchestrator can probe it and Prometheus can scrape its job and lab-step counts.
/// Nil when `worker.port` is 0.
package func buildWorkerEndpoints(config: LabGateConfig, backends: Backends, webServices: MoodleWebServices, logger: Logger) -> (any Service)? {
    guard config.workerPort > 0 else { return nil }
    _ = PrometheusMetrics.registry
    let router = Router(context: LabGateRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        ErrorMappingMiddleware()
    }
    router.addRoutes(HealthController(backends: backends, webServices: webServices).endpoints)
    router.addRoutes(PrometheusMetrics.endpoints(tokens: APITokens(repository: backends.repositories.apiTokens), backends: backends))
    return Application(
        router: router, server: .labGate(idleTimeout: config.idleTimeout),
        configuration: .init(address: .hostname(config.host, port: config.workerPort), serverName: "LabGate worker"),
        logger: logger)
}
