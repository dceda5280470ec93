import Foundation
import LTIGateway
import LabCore
import Logging

/// Whether one part a process depends on can be reached.
struct ReadinessCheck: Sendable, Codable, Equatable {
    var component: String
    var engine: String
    var ready: Bool
    var problem: String?
}

/// Whether one platform's Moodle web services work, and which of LabGate's functions the
/// token may not call (each switches a feature off). The platform is named by its id only.
struct WebServiceReadiness: Sendable, Codable, Equatable {
    var platform: String
    var ready: Bool
    var missingFunctions: [String]
    var problem: String?
}

extension Backends {
    /// Each configured platform's web services, as the site last said (asked again every few minutes).
    func webServiceReadiness(_ services: MoodleWebServices, logger: Logger) async -> [WebServiceReadiness] {
        guard let configured = try? await services.configuredPlatforms() else { return [] }  // the database check says why
        var answers: [WebServiceReadiness] = []
        for id in configured {
            let platform = id.rawValue
            switch await services.status(of: id) {
            case .ready(_, let missing):
                answers.append(WebServiceReadiness(platform: platform, ready: true, missingFunctions: missing.map(\.rawValue)))
            case .failing(let error):
                logger.warning("Moodle web services fail", metadata: ["platform": .string(platform), "problem": .string(error.description)])
                // Anyone may ask: an unreachable site's error names its address, so only the log has it.
                let problem = error.isTransient ? "the Moodle site does not answer; the log of this process has the cause" : error.description
                answers.append(WebServiceReadiness(platform: platform, ready: false, missingFunctions: [], problem: problem))
            case .notConfigured:
                continue
            }
        }
        return answers
    }

    /// Checks, side by side, that the database, the ephemeral store and queue, and Guacamole's
    /// database (when it is not LabGate's) answer, and that the tool's keys open with this
    /// process's secret. Anyone may ask, so the answer names engines, never paths or hosts;
    /// the log has the detail.
    func readiness(logger: Logger) async -> [ReadinessCheck] {
        async let database = check("database", engine: databaseEngine, logger: logger) { try await self.database.ping() }
        async let ephemeral = check("ephemeral", engine: ephemeralEngine, logger: logger) {
            try await self.ephemeral.ping()
            try await self.queue.ping()
        }
        async let guacamole = guacamoleCheck(logger: logger)
        async let keys = check("tool keys", engine: databaseEngine, logger: logger) { try await self.checkToolKeys() }
        return await [database, ephemeral] + [guacamole].compactMap { $0 } + [keys]
    }

    /// Throws `ToolKeyError.unreadable` when a published key was sealed under another secret.
    func checkToolKeys() async throws {
        _ = try await ToolKeyRing(repository: repositories.toolKeys, box: box).publishedKeySet(now: Date())
    }

    private func guacamoleCheck(logger: Logger) async -> ReadinessCheck? {
        guard let guacamoleDatabase else { return nil }
        return await check("guacamole", engine: "MariaDB", logger: logger) { try await guacamoleDatabase.ping() }
    }

    private func check(_ component: String, engine: String, logger: Logger, _ probe: @Sendable () async throws -> Void) async -> ReadinessCheck {
        do {
            try await probe()
            return ReadinessCheck(component: component, engine: engine, ready: true)
        } catch let error as ToolKeyError {
            return ReadinessCheck(component: component, engine: engine, ready: false, problem: Self.words(error))
        } catch {
            logger.warning("not ready", metadata: ["component": .string(component), "error": .string("\(error)")])
            return ReadinessCheck(component: component, engine: engine, ready: false, problem: "does not answer; the log of this process has the cause")
        }
    }

    /// A tool key this process cannot open, and the fix.
    static func words(_ error: ToolKeyError) -> String {
        switch error {
        case .unreadable(let kid):
            "tool key \(kid) was sealed under another secret key: give every process of this installation the same security.secretKey (or the same secretKeyFile)"
        case .noActiveKey: error.description
        }
    }
}
