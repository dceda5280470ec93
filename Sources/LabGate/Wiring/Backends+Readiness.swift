/// Whether one part a process depends on can be reached.
struct ReadinessCheck: Sendable, Codable, Equatable {
    var component: String
    var engine: String
    var ready: Bool
    var problem: String?
}

extension Backends {
    /// Checks, side by side, that the database, the ephemeral store and queue, and Guacamole's
    /// database (when it is not LabGate's) answer.
    func readiness() async -> [ReadinessCheck] {
        async let database = check("database", engine: databaseDescription) { try await self.database.ping() }
        async let ephemeral = check("ephemeral", engine: ephemeralDescription) {
            try await self.ephemeral.ping()
            try await self.queue.ping()
        }
        async let guacamole = guacamoleCheck()
        return await [database, ephemeral] + [guacamole].compactMap { $0 }
    }

    private func guacamoleCheck() async -> ReadinessCheck? {
        guard let guacamoleDatabase, let guacamoleDescription else { return nil }
        return await check("guacamole", engine: guacamoleDescription) { try await guacamoleDatabase.ping() }
    }

    private func check(_ component: String, engine: String, _ probe: @Sendable () async throws -> Void) async -> ReadinessCheck {
        do {
            try await probe()
            return ReadinessCheck(component: component, engine: engine, ready: true)
        } catch {
            return ReadinessCheck(component: component, engine: engine, ready: false, problem: "\(error)")
        }
    }
}
