import Foundation
import Storage
import TestSupport

@testable import LabGate

/// Configurations for tests: embedded defaults in a private folder, or the real servers.
enum TestConfig {
    /// The embedded defaults, with the SQLite file in a fresh temporary folder.
    static func embedded(_ overrides: [String: String] = [:]) throws -> LabGateConfig {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-\(UUID().uuidString)")
        return try LabGateConfig.defaults(
            [
                "database.path": folder.appendingPathComponent("labgate.sqlite").path,
                "security.secretKeyFile": folder.appendingPathComponent("secret.key").path,
                "lti.platformsDirectory": folder.appendingPathComponent("platforms").path,
            ].merging(overrides) { $1 })
    }

    /// MariaDB and Redis, at the given ports and passwords (the shared test servers by default).
    static func servers(
        mariaDBPort: Int? = TestServers.mariaDBPort, mariaDBPassword: String? = TestServers.environment["LABGATE_TEST_MARIADB_PASSWORD"],
        redisPort: Int? = TestServers.redisPort, redisPassword: String? = TestServers.environment["LABGATE_TEST_REDIS_PASSWORD"],
        _ overrides: [String: String] = [:]
    ) throws -> LabGateConfig {
        guard let mariaDBPort, let mariaDBPassword else {
            throw TestServerMissing(name: "MariaDB", hint: "run the tests through scripts/test.sh, which starts it")
        }
        guard let redisPort, let redisPassword else {
            throw TestServerMissing(name: "Redis", hint: "run the tests through scripts/test.sh, which starts it")
        }
        return try LabGateConfig.defaults(
            [
                "database.engine": "mariadb", "database.port": String(mariaDBPort), "database.password": mariaDBPassword,
                "database.timeoutSeconds": "2", "ephemeral.engine": "redis", "redis.port": String(redisPort),
                "redis.password": redisPassword, "redis.timeoutSeconds": "2", "redis.keyPrefix": TestServers.uniquePrefix(),
                "security.secretKey": "test-secret-that-is-long-enough-for-labgate",
                "lti.platformsDirectory": FileManager.default.temporaryDirectory.appendingPathComponent("labgate-\(UUID().uuidString)").path,
            ].merging(overrides) { $1 })
    }

    /// The real servers with a MariaDB database of the test's own, migrated, and dropped after `body`.
    /// A LabGate that runs its reconciler must have one: on a database shared with other tests it
    /// would find their labs missing from its own simulated cluster, and fail them as vanished.
    static func withServers<T>(_ overrides: [String: String] = [:], _ body: (LabGateConfig) async throws -> T) async throws -> T {
        try await TestServers.withScratchDatabase(prepare: { try await Migrator(database: $0).migrate() }) { name in
            try await body(try servers(overrides.merging(["database.name": name]) { $1 }))
        }
    }

    static var serversUnderTest: Bool {
        TestServers.shouldTest(TestServers.mariaDBPort) || TestServers.shouldTest(TestServers.redisPort)
    }
}
