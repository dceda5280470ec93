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

    var endpoints: RouteCollection<LabGateRequestContext> {
        let routes = RouteCollection(context: LabGateRequestContext.self)
        routes.get("healthz") { _, _ in
            ["status": "alive"]
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
