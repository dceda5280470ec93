import Foundation
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

    /// `/metrics`, for a holder of an API token of any scope (Prometheus's `authorization`
    /// setting sends it): the counts say who uses LabGate how, which outsiders need not know.
    static func endpoints(tokens: APITokens) -> RouteCollection<LabGateRequestContext> {
        let routes = RouteCollection(context: LabGateRequestContext.self)
        routes.get("metrics") { request, _ in
            guard let bearer = request.bearerToken, try await tokens.authenticate(bearer, now: Date()) != nil else {
                return APIError.unauthenticated.apiResponse()
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return routes
    }
}
