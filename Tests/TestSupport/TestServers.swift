import Foundation
import LabCore
import Storage

/// The real servers the test command started, found through its environment variables.
/// With `CI=true` a missing server is a failure, never a silent skip.
public enum TestServers {
    public static let environment = ProcessInfo.processInfo.environment
    public static let isCI = environment["CI"] == "true"

    public static var mariaDBPort: Int? { environment["LABGATE_TEST_MARIADB_PORT"].flatMap(Int.init) }
    public static var redisPort: Int? { environment["LABGATE_TEST_REDIS_PORT"].flatMap(Int.init) }
    /// Where the test Redis speaks TLS.
    public static var redisTLSPort: Int? { environment["LABGATE_TEST_REDIS_TLS_PORT"].flatMap(Int.init) }
    /// The authority that signed the certificates of the test MariaDB and Redis (scripts/test-servers.sh).
    public static var authority: String? { environment["LABGATE_TEST_CA"] }

    /// Whether tests of a server should run: yes if it is there, and under CI always (so they fail loudly).
    public static func shouldTest(_ port: Int?) -> Bool { port != nil || isCI }

    public static func mariaDB(port: Int? = mariaDBPort, password: String? = environment["LABGATE_TEST_MARIADB_PASSWORD"], database: String = "labgate") throws
        -> MariaDBSettings
    {
        guard let port, let password else {
            throw TestServerMissing(name: "MariaDB", hint: "run the tests through scripts/test.sh, which starts it")
        }
        return MariaDBSettings(
            port: port, user: "labgate", password: password, database: database, poolSize: 8, timeout: .seconds(5), acquireTimeout: .seconds(30))
    }

    public static func redis(port: Int? = redisPort, password: String? = environment["LABGATE_TEST_REDIS_PASSWORD"], prefix: String = uniquePrefix()) throws
        -> RedisSettings
    {
        guard let port, let password else {
            throw TestServerMissing(name: "Redis", hint: "run the tests through scripts/test.sh, which starts it")
        }
        return RedisSettings(port: port, password: password, poolSize: 8, timeout: .seconds(5), acquireTimeout: .seconds(30), keyPrefix: prefix)
    }

    /// A key prefix of its own for each test, so tests can share one Redis.
    public static func uniquePrefix() -> String { "test:\(UUID().uuidString.prefix(8)):" }

    /// A client on the shared test Redis with a key prefix of its own, shut down afterwards.
    public static func withRedisClient<T>(prefix: String = uniquePrefix(), _ body: (RedisClient) async throws -> T) async throws -> T {
        let client = RedisClient(settings: try redis(prefix: prefix))
        return try await withCleanup {
            try await body(client)
        } cleanup: {
            await client.shutdown()
        }
    }

    /// A fresh MariaDB database for one test, made ready by `prepare` (its schema), then
    /// handed to `body` and dropped afterwards. At most a few are made ready at once: each is
    /// dozens of DDL statements, and the suite starts with every test asking for one, which on
    /// two cores left later statements of the whole suite waiting past their timeouts.
    public static func withScratchMariaDB<T>(
        prepare: (MariaDBDatabase) async throws -> Void, _ body: (MariaDBDatabase) async throws -> T
    ) async throws -> T {
        try await withScratchDatabase(prepare: prepare) { name in
            let database = MariaDBDatabase(settings: try mariaDB(database: name))
            return try await withCleanup {
                try await body(database)
            } cleanup: {
                await database.shutdown()
            }
        }
    }

    /// The same, handing `body` the database's name: for a test that gives it to a LabGate
    /// (in its configuration) rather than using it itself.
    public static func withScratchDatabase<T>(prepare: (MariaDBDatabase) async throws -> Void, _ body: (String) async throws -> T) async throws -> T {
        let admin = MariaDBDatabase(settings: try mariaDB())
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return try await withCleanup {
            try await schemaTurns.withTurn {
                try await admin.execute("CREATE DATABASE \(name) CHARACTER SET utf8mb4", [])
                let database = MariaDBDatabase(settings: try mariaDB(database: name))
                try await withCleanup {
                    try await prepare(database)
                } cleanup: {
                    await database.shutdown()
                }
            }
            return try await body(name)
        } cleanup: {
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name)", [])
            await admin.shutdown()
        }
    }

    private static let schemaTurns = Turns(count: 3)
}

/// A counting semaphore for tasks: at most `count` bodies run at once, the others wait in order.
actor Turns {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    /// Runs `body` in a turn; the body itself runs outside the actor.
    nonisolated func withTurn<T>(_ body: () async throws -> T) async throws -> T {
        await take()
        do {
            let result = try await body()
            await give()
            return result
        } catch {
            await give()
            throw error
        }
    }

    private func take() async {
        if free > 0 { free -= 1 } else { await withCheckedContinuation { waiting.append($0) } }
    }

    private func give() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

public struct TestServerMissing: Error, CustomStringConvertible {
    public var name: String
    public var hint: String
    public init(name: String, hint: String) {
        self.name = name
        self.hint = hint
    }

    public var description: String { "\(name) is not available to the tests: \(hint)" }
}
