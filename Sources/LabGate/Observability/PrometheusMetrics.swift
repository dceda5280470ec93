import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

/// The process's metrics, in Prometheus's text format at `/metrics`.
enum PrometheusMetrics {
    /// The registry every metric of the process is recorded in. The first use makes it the
    /// process-wide metrics backend (swift-metrics allows that only once per process).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[clickToDesktop] = [1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120, 180, 300, 600].map { .seconds($0) }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// From a student's launch to their desktop, in seconds: what a class feels at 9:00.
    static let clickToDesktop = "labgate_click_to_desktop_seconds"

    /// `/metrics`, for a holder of an API token of any scope (Prometheus's `authorization`
    /// setting sends it): the counts say who uses LabGate how, which outsiders need not know.
    static func endpoints(tokens: APITokens, backends: Backends) -> RouteCollection<LabGateRequestContext> {
        let routes = RouteCollection(context: LabGateRequestContext.self)
        routes.get("metrics") { request, context in
            guard let bearer = request.bearerToken, try await tokens.authenticate(bearer, now: Date()) != nil else {
                return APIError.unauthenticated.apiResponse()
            }
            await recordSharedState(of: backends, logger: context.logger)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return routes
    }

    /// What every process sees alike, read at each scrape: whether each server this process
    /// needs answers (`labgate_ready`, 1 or 0), and the shared queue's jobs by state
    /// (`labgate_queue_jobs`; absent while the queue does not answer).
    static func recordSharedState(of backends: Backends, logger: Logger) async {
        for check in await backends.readiness(logger: logger) {
            Gauge(label: "labgate_ready", dimensions: [("component", check.component)]).record(check.ready ? 1 : 0)
        }
        guard let depth = try? await backends.queue.depth() else { return }
        for (state, count) in [("queued", depth.queued), ("delayed", depth.delayed), ("dead", depth.dead)] {
            Gauge(label: "labgate_queue_jobs", dimensions: [("state", state)]).record(count)
        }
    }
}
