import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import LabGate

@Suite("Request metrics")
struct RequestMetricsMiddlewareTests {
    @Test("answers are counted and timed by route, method and status; errors that escape are counted as errors; no request stays active")
    func countsAndTimes() async throws {
        _ = PrometheusMetrics.registry
        // A method of its own, so that no other test's requests share these series.
        let method = HTTPRequest.Method("METRICSPROBE")!
        let router = Router()
        router.addMiddleware { RequestMetricsMiddleware() }
        router.on("metrics-probe/fine", method: method) { _, _ in "fine" }
        router.on("metrics-probe/refused", method: method) { _, _ -> String in throw HTTPError(.conflict, message: "taken") }
        try await Application(router: router).test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/metrics-probe/fine", method: method) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/metrics-probe/refused", method: method) { #expect($0.status == .conflict) }
        }

        let lines = PrometheusMetrics.registry.emitToString().split(separator: "\n").filter { $0.contains(#""METRICSPROBE""#) }
        func value(_ name: String, _ labels: String...) -> String? {
            lines.first { $0.hasPrefix(name + "{") && labels.allSatisfy($0.contains) }?.split(separator: " ").last.map(String.init)
        }
        #expect(value("hb_requests", #"http_route="/metrics-probe/fine""#, #"http_response_status_code="200""#) == "3")
        #expect(value("http_server_request_duration_count", #"http_route="/metrics-probe/fine""#) == "3")
        #expect(value("hb_requests", #"http_route="/metrics-probe/refused""#, #"http_response_status_code="409""#) == "1")
        #expect(value("hb_request_errors", #"http_route="/metrics-probe/refused""#, #"error_type="409""#) == "1")
        #expect(value("http_server_active_requests") == "0.0" || value("http_server_active_requests") == "0")
    }
}
