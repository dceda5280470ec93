import Foundation
import Logging
import PVESim

@testable import Provisioning

/// PVESim on a loopback port and a `ProxmoxClient` pointed at it. Requests are appended to
/// the run's request log (`LABGATE_PVESIM_REQUEST_LOG`) for the contract check, unless a
/// test sends malformed requests on purpose.
struct SimTestbed: Sendable {
    let cluster: SimCluster
    let client: ProxmoxClient
    let baseURL: String

    static let token = SimTokenSpec(id: "labgate@pve!provisioning", secret: "5e0c2ab4-7d7e-4a51-9a43-2f1f9a0e1c11")

    /// A two-node cluster running 1000× faster than real time.
    static func configuration(_ adjust: (inout SimConfiguration) -> Void = { _ in }) -> SimConfiguration {
        var configuration = SimConfiguration.small(nodeCount: 2, token: token, timeScale: 1000)
        adjust(&configuration)
        return configuration
    }

    static func run(
        _ configuration: SimConfiguration = configuration(), logRequests: Bool = true,
        settings adjust: @Sendable (inout ProxmoxSettings) -> Void = { _ in },
        _ body: @Sendable (SimTestbed) async throws -> Void
    ) async throws {
        let cluster = try SimCluster(configuration: configuration)
        let log = try logRequests ? requestLog() : nil
        let server = PVESimServer(cluster: cluster, requestLog: log)
        try await server.serving { baseURL in
            var settings = ProxmoxSettings(
                baseURL: baseURL, tokenID: token.id, tokenSecret: token.secret,
                retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5), maxDelay: .milliseconds(20)),
                taskPollInterval: .milliseconds(5))
            adjust(&settings)
            let client = try ProxmoxClient(settings: settings)
            do {
                try await body(SimTestbed(cluster: cluster, client: client, baseURL: baseURL))
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// The run's shared request log, or a private one when the tests run without the script.
    static func requestLog() throws -> SimRequestLog {
        let path =
            ProcessInfo.processInfo.environment["LABGATE_PVESIM_REQUEST_LOG"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("labgate-pve-requests.jsonl").path
        return try SimRequestLog(path: path)
    }
}
