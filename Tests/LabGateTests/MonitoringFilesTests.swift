import Foundation
import LTIGateway
import LabCore
import PlatformSim
import Testing

@testable import LabGate

/// deploy/prometheus's alert rules and deploy/grafana's dashboard ask for metrics LabGate
/// really exports, with the labels it really gives them: after a student's launch and desktop,
/// every metric and label they name appears at /metrics.
@Suite struct MonitoringFilesTests {
    static let files = ["deploy/prometheus/labgate-alerts.yaml", "deploy/grafana/labgate-dashboard.json"]
    /// Labels Prometheus adds itself, or that only exist in a query.
    static let addedByPrometheus: Set<String> = ["job", "instance", "le"]

    @Test func theAlertsAndTheDashboardUseOnlyWhatMetricsExports() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("watched-\(UUID().uuidString.prefix(6))", title: "Watched")
            let launched = try await bed.launch(LaunchScenario(subject: "watched", custom: ["environment": environment.name]))
            let waiting = try #require(launched.header("location"))
            let ready = try #require(try await bed.browser.events(bed.toolURL + waiting + "/events").last)
            let link = try #require(try JSONDecoder().decode([String: String].self, from: Data(ready.data.utf8))["link"])
            #expect(try await bed.browser.get(link).status == 302)

            let token = try await APITokens(repository: bed.repositories.apiTokens).create(name: "prometheus", scope: .read, lifetime: nil, now: Date())
            let exported = Self.series(in: try await AdminAPITests.call("GET", bed.toolURL + "/metrics", token: token.bearer).text)
            #expect(exported["labgate_click_to_desktop_seconds_count"] != nil, "the desktop opened was measured")

            for file in Self.files {
                let text = try String(contentsOf: DocumentationTests.root.appendingPathComponent(file), encoding: .utf8)
                let (metrics, labels) = Self.references(in: text)
                #expect(!metrics.isEmpty, "\(file) names no metric")
                for metric in metrics {
                    #expect(exported[metric] != nil, "\(file) asks for \(metric), which /metrics does not export")
                }
                let known = metrics.reduce(into: Self.addedByPrometheus) { $0.formUnion(exported[$1] ?? []) }
                for label in labels.subtracting(known) {
                    #expect(Bool(false), "\(file) asks for the label \(label), which none of its metrics has")
                }
            }
        }
    }

    /// Each series name in Prometheus text, with its label names.
    static func series(in text: String) -> [String: Set<String>] {
        var series: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            var labels = series[name] ?? []
            if let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") {
                for pair in line[line.index(after: open)..<close].split(separator: ",") {
                    labels.insert(String(pair.prefix { $0 != "=" }))
                }
            }
            series[name] = labels
        }
        return series
    }

    /// The metric names a file's queries read, and the label names they select or group by.
    static func references(in text: String) -> (metrics: Set<String>, labels: Set<String>) {
        var metrics = Set<String>()
        var labels = Set<String>()
        for match in text.matches(of: /\b((?:labgate|hb|http_server)_[a-z_]+)(\{[^}]*\})?/) {
            metrics.insert(String(match.output.1))
            for pair in (match.output.2 ?? "").split(separator: ",") {
                let name = pair.drop { $0 == "{" || $0 == " " }.prefix { $0.isLetter || $0 == "_" }
                if !name.isEmpty { labels.insert(String(name)) }
            }
        }
        for match in text.matches(of: /by \(([^)]*)\)/) {
            labels.formUnion(match.output.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return (metrics, labels)
    }
}
