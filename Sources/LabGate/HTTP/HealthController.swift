import Hummingbird
import LTIGateway

/// `/healthz` (the process is alive) and `/readyz` (what it needs answers).
struct HealthController {
    let backends: Backends
    let webServices: MoodleWebServices

    /// The body of `/readyz`. The platforms' web services are details: LabGate serves
    /// launches without them, so they never make it unready.
    struct Readiness: ResponseEncodable {
        var status: String
        var checks: [ReadinessCheck]
        var webServices: [WebServiceReadiness]
    }

    /// `/healthz`'s answer, made once: probes call it every few seconds, and it is the
    /// benchmark's measure of what a request that does nothing costs.
    static let alive = Response(
        status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"alive"}"#)))

    var endpoints: RouteCollection<LabGateRequestContext> {
        let routes = RouteCollection(context: LabGateRequestContext.self)
        routes.get("healthz") { _, _ in
            Self.alive
        }
        routes.get("readyz") { _, context in
            async let checks = backends.readiness(logger: context.logger)
            async let webServices = backends.webServiceReadiness(webServices, logger: context.logger)
            let ready = await checks.allSatisfy(\.ready)
            return EditedResponse(
                status: ready ? .ok : .serviceUnavailable,
                response: Readiness(status: ready ? "ready" : "unavailable", checks: await checks, webServices: await webServices))
        }
        return routes
    }
}
