import Hummingbird

/// `/healthz` (the process is alive) and `/readyz` (what it needs answers).
struct HealthController {
    let backends: Backends

    /// The body of `/readyz`.
    struct Readiness: ResponseEncodable {
        var status: String
        var checks: [ReadinessCheck]
    }

    var endpoints: RouteCollection<LabGateRequestContext> {
        let routes = RouteCollection(context: LabGateRequestContext.self)
        routes.get("healthz") { _, _ in
            ["status": "alive"]
        }
        routes.get("readyz") { _, context in
            let checks = await backends.readiness(logger: context.logger)
            let ready = checks.allSatisfy(\.ready)
            return EditedResponse(
                status: ready ? .ok : .serviceUnavailable,
                response: Readiness(status: ready ? "ready" : "unavailable", checks: checks))
        }
        return routes
    }
}
