import Foundation
import Storage
import TestSupport

/// A fresh database on the test MariaDB, and the environment that points `labgate` processes
/// at it and at the test Redis (under a key prefix of their own), for tests that start the
/// real binary several times.
struct ServersForProcesses {
    let environment: [String: String]
    private let name: String
    private let admin: MariaDBDatabase

    static func make(_ label: String, adding extra: [String: String] = [:]) async throws -> ServersForProcesses {
        let admin = MariaDBDatabase(settings: try TestServers.mariaDB())
        let name = "t_\(label)_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        _ = try await admin.execute("CREATE DATABASE \(name) CHARACTER SET utf8mb4", [])
        let redis = try TestServers.redis()
        let environment = [
            "LABGATE_DATABASE_ENGINE": "mariadb", "LABGATE_DATABASE_PORT": String(TestServers.mariaDBPort ?? 0), "LABGATE_DATABASE_NAME": name,
            "LABGATE_DATABASE_PASSWORD": TestServers.environment["LABGATE_TEST_MARIADB_PASSWORD"] ?? "",
            "LABGATE_EPHEMERAL_ENGINE": "redis", "LABGATE_REDIS_PORT": String(redis.port), "LABGATE_REDIS_PASSWORD": redis.password ?? "",
            "LABGATE_REDIS_KEY_PREFIX": redis.keyPrefix, "LABGATE_WORKER_IN_PROCESS": "false",
        ]
        return ServersForProcesses(environment: environment.merging(extra) { $1 }, name: name, admin: admin)
    }

    /// The processes' database, to look into.
    func database() throws -> MariaDBDatabase { MariaDBDatabase(settings: try TestServers.mariaDB(database: name)) }

    /// Drops the database.
    func drop() async throws {
        _ = try await admin.execute("DROP DATABASE \(name)", [])
        await admin.shutdown()
    }
}
