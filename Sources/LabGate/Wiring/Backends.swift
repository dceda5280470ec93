import Foundation
import LTIGateway
import LabCore
import Logging
import ServiceLifecycle
import Storage
import WebSupport

/// The storage one process runs on, opened from the configuration: the relational
/// database with its repositories, the ephemeral store and the job queue.
///
/// A service: it closes every connection when the process shuts down.
package final class Backends: Service, Sendable {
    package let database: any SQLDatabase
    package let repositories: Repositories
    let ephemeral: any EphemeralStore
    package let queue: any JobQueue
    /// Guacamole's tables: in Guacamole's own database when one is configured, else in LabGate's.
    package let guacamoleRecords: any GuacamoleRecords
    /// Guacamole's own database, when it is not LabGate's.
    let guacamoleDatabase: (any SQLDatabase)?
    /// Which engines these are, for anyone to see ("SQLite", "Redis").
    var databaseEngine: String { database.dialect.name }
    var ephemeralEngine: String { redis == nil ? "in-process" : "Redis" }
    /// For the operator: where these are ("SQLite ./var/labgate.sqlite", "Redis 127.0.0.1:6379").
    package let databaseDescription: String
    /// LabGate's one secret (configured, or read from its key file, made on first start).
    let secret: Data
    /// Seals and signs with keys derived from the secret.
    package let box: SecretBox
    /// The live launch sessions, in the ephemeral store.
    package let sessions: SessionStore
    let ephemeralDescription: String
    let guacamoleDescription: String?
    private let redis: RedisClient?

    private init(
        secret: Data, sessionLifetime: Duration, database: any SQLDatabase, databaseDescription: String, ephemeral: any EphemeralStore, queue: any JobQueue,
        ephemeralDescription: String, redis: RedisClient?, guacamoleDatabase: (any SQLDatabase)?, guacamoleDescription: String?,
        guacamoleTimeZone: TimeZone
    ) {
        self.secret = secret
        self.box = SecretBox(secret: secret)
        self.database = database
        self.repositories = database.repositories(sealing: box.atRest(purpose: "guest password"))
        self.guacamoleDatabase = guacamoleDatabase
        self.guacamoleRecords = SQLGuacamoleRecords(database: guacamoleDatabase ?? database, timeZone: guacamoleTimeZone)
        self.guacamoleDescription = guacamoleDescription
        self.databaseDescription = databaseDescription
        self.ephemeral = ephemeral
        self.sessions = SessionStore(ephemeral: ephemeral, box: box, lifetime: sessionLifetime)
        self.queue = queue
        self.ephemeralDescription = ephemeralDescription
        self.redis = redis
    }

    /// Opens what the configuration names. A server that is down is not an error here:
    /// connections are made on first use, and `/readyz` reports what is missing.
    package static func open(_ config: LabGateConfig) async throws -> Backends {
        // First, so that a bad key leaves nothing open behind it.
        let secret = try SecretKeyLoader.load(config, logger: Logger(label: "labgate"))
        let database: any SQLDatabase
        let databaseDescription: String
        switch config.database {
        case .sqlite(let path):
            database = try await SQLiteDatabase.open(path: path)
            databaseDescription = "SQLite \(path)"
        case .mariaDB(let settings):
            database = MariaDBDatabase(settings: settings)
            databaseDescription = Self.describe(settings)
        }
        let guacamoleDatabase = config.guacamoleDatabase.map { MariaDBDatabase(settings: $0) }
        let guacamoleDescription = config.guacamoleDatabase.map(Self.describe)
        switch config.ephemeral {
        case .memory:
            return Backends(
                secret: secret, sessionLifetime: config.lti.sessionLifetime, database: database, databaseDescription: databaseDescription,
                ephemeral: MemoryEphemeralStore(),
                queue: MemoryJobQueue(settings: config.queue), ephemeralDescription: "in-process", redis: nil,
                guacamoleDatabase: guacamoleDatabase, guacamoleDescription: guacamoleDescription, guacamoleTimeZone: config.guacamoleTimeZone)
        case .redis(let settings):
            let client = RedisClient(settings: settings)
            return Backends(
                secret: secret, sessionLifetime: config.lti.sessionLifetime, database: database, databaseDescription: databaseDescription,
                ephemeral: RedisEphemeralStore(client: client),
                queue: RedisJobQueue(client: client, settings: config.queue),
                ephemeralDescription: "Redis \(settings.host):\(settings.port)", redis: client, guacamoleDatabase: guacamoleDatabase,
                guacamoleDescription: guacamoleDescription, guacamoleTimeZone: config.guacamoleTimeZone)
        }
    }

    private static func describe(_ settings: MariaDBSettings) -> String {
        "MariaDB \(settings.host):\(settings.port)/\(settings.database)"
    }

    /// Applies pending migrations and returns the versions applied; logs them when a logger is given.
    @discardableResult
    package func migrate(logger: Logger? = nil) async throws -> [Int] {
        let applied = try await Migrator(database: database).migrate()
        if !applied.isEmpty {
            logger?.info("migrated the database", metadata: ["versions": .string("\(applied)"), "database": .string(databaseDescription)])
        }
        return applied
    }

    package func run() async throws {
        try? await gracefulShutdown()
        // Closed even when the group was cancelled (a service failed to start): an unclosed
        // SQLite connection is a crash in debug builds.
        await Task { await close() }.value
    }

    /// Closes every connection.
    package func close() async {
        await database.shutdown()
        await guacamoleDatabase?.shutdown()
        await redis?.shutdown()
    }
}
