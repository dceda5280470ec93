import Hummingbird
import Metrics
import Prometheus

/// The process's metrics, in Prometheus's text format at `/metrics`.
enum PrometheusMetrics {
    /// The registry every metric of the process is recorded in. The first use makes it the
    /// process-wide metrics backend (swift-metrics allows that only once per process).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static var endpoints: RouteCollection<LabGateRequestContext> {
        let routes = RouteCollection(context: LabGateRequestContext.self)
        routes.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return routes
    }
}
