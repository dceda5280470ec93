import Foundation
import LabCore
import Storage
import TestSupport
import Testing

/// Real servers taken down and brought back while LabGate's clients stay up. A test that
/// fails half-way leaves its server running; the test command stops it at the end.
@Suite("Server restarts", .serialized, .enabled(if: PrivateServer.available))
struct ServerRestartTests {
    @Test("while MariaDB is down calls fail as 'unavailable'; once it is back the next call succeeds")
    func mariaDBRestart() async throws {
        let server = try await PrivateServer.start("mariadb")
        let database = MariaDBDatabase(settings: try TestServers.mariaDB(port: server.port, password: server.password))
        try await Migrator(database: database).migrate()
        let repositories = database.repositories()
        let seed = try await Seed.make(in: repositories)

        try await server.stop()
        for _ in 0..<3 {
            await #expect {
                _ = try await repositories.platforms.find(id: seed.platform.id)
            } throws: { error in
                guard case StoreError.unavailable(let component, _) = error else { return false }
                return component == "database"
            }
        }

        try await server.start()
        #expect(try await repositories.platforms.find(id: seed.platform.id) == seed.platform)
        try await database.ping()
        await database.shutdown()
        try await server.stop()
    }

    @Test("a job enqueued before a Redis restart is still delivered after it")
    func redisRestartKeepsJobs() async throws {
        let server = try await PrivateServer.start("redis")
        let client = RedisClient(settings: try TestServers.redis(port: server.port, password: server.password))
        let queue = RedisJobQueue(client: client, settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 3))
        let store = RedisEphemeralStore(client: client)
        let job = Job(kind: "provision", payload: "survives")
        try await queue.enqueue(job)
        try await store.set("state", to: "kept", ttl: .seconds(600))

        try await server.stop()
        await #expect {
            _ = try await queue.claim(consumer: "w", max: 1, wait: .zero)
        } throws: { error in
            guard case StoreError.unavailable(let component, _) = error else { return false }
            return component == "redis"
        }
        await #expect(throws: StoreError.self) { try await store.ping() }

        try await server.start()
        let claimed = try await queue.claim(consumer: "w", max: 1, wait: .seconds(1))
        #expect(claimed.map(\.job) == [job])
        #expect(try await store.get("state") == "kept")
        try await queue.ack(try #require(claimed.first))
        await client.shutdown()
        try await server.stop()
    }
}
