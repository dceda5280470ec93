import LTIGateway

extension Backends {
    /// The platforms' Moodle web services on these backends, for a command that runs once
    /// (the server has its own in `LTIService`); its connections close when `body` returns.
    package func withWebServices<T>(_ config: LabGateConfig, _ body: (MoodleWebServices) async throws -> T) async throws -> T {
        let http = OutboundHTTP(
            policy: OutboundURLPolicy(allowInsecureLoopback: config.lti.allowInsecureLoopback, allowPrivateAddresses: config.lti.allowPrivateAddresses))
        do {
            let result = try await body(MoodleWebServices(repository: repositories.webServices, box: box, http: http))
            await http.shutdown()
            return result
        } catch {
            await http.shutdown()
            throw error
        }
    }
}
