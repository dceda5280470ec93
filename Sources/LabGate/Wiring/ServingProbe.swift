import AsyncHTTPClient

/// Waits until a LabGate at `url` answers `/healthz` with 200: polls every 50 ms for at most
/// 10 s, and gives up at once when `stopped` says why the server went away (another server
/// may hold the port and answer in its place).
package func waitUntilServing(_ url: String, client: HTTPClient = .shared, stopped: () -> String? = { nil }) async throws {
    for _ in 0..<200 {
        if let reason = stopped() { throw DescribedFailure("LabGate could not start at \(url): \(reason)") }
        if let response = try? await client.execute(HTTPClientRequest(url: url + "/healthz"), timeout: .seconds(1)), response.status == .ok {
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw DescribedFailure("LabGate did not start serving at \(url) within 10 s; is the port taken?")
}
