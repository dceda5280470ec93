import Foundation
import LabCore
import TestSupport
import Testing

@testable import Storage

@Suite("Redis over TLS", .enabled(if: TestServers.shouldTest(TestServers.redisTLSPort)))
struct RedisTLSTests {
    @Test("with redis.tls, the ephemeral store, the pipelined channels and the job queue's blocking claim all reach Redis on its TLS port")
    func encrypted() async throws {
        let settings = try tlsSettings()
        let client = RedisClient(settings: settings)
        try await withCleanup {
            try await expectBothKindsOfConnection(of: client, at: "127.0.0.1:\(settings.port)")
            let store = RedisEphemeralStore(client: client)
            try await store.set("kept", to: "over TLS", ttl: .seconds(60))
            #expect(try await store.take("kept") == "over TLS")
            let queue = RedisJobQueue(client: client, settings: JobQueueSettings(visibilityTimeout: .seconds(30), maxAttempts: 3))
            let job = Job(kind: "provision", payload: "over TLS")
            try await queue.enqueue(job)
            let claimed = try await queue.claim(consumer: "w", max: 1, wait: .milliseconds(500))
            #expect(claimed.map(\.job) == [job])
            try await queue.ack(try #require(claimed.first))
        } cleanup: {
            await client.shutdown()
        }
    }

    @Test(
        "with redis.tls and Sentinels that speak only TLS, the client asks them where the primary is and works there in TLS",
        .enabled(if: RedisSentinelSet.available))
    func throughSentinels() async throws {
        let servers = try await RedisSentinelSet(tls: true)
        let client = RedisClient(settings: servers.settings())
        try await withCleanup {
            try await expectBothKindsOfConnection(of: client, at: "\(servers.primary)")
            let store = RedisEphemeralStore(client: client)
            try await store.set("kept", to: "behind Sentinels", ttl: .seconds(60))
            #expect(try await store.get("kept") == "behind Sentinels")
        } cleanup: {
            await client.shutdown()
            await servers.stop()
        }
    }

    @Test("a certificate that no authority the client trusts signed is refused on both kinds of connection, with the reason and without the password")
    func untrustedCertificate() async throws {
        var settings = try tlsSettings()
        settings.tls = ServerTLS(caFile: nil)  // the system's authorities, which never signed the test certificate
        let client = RedisClient(settings: settings)
        for extraWait in [Duration.zero, .milliseconds(1)] {
            await #expect {
                _ = try await client.pipeline([["PING"]], extraWait: extraWait)
            } throws: { error in
                guard case .unavailable(_, let reason) = error as? StoreError else { return false }
                return reason.contains("TLS with 127.0.0.1:\(settings.port) failed") && reason.contains("an authority this system trusts")
                    && !reason.contains(settings.password ?? "-")
            }
        }
        await client.shutdown()
    }

    @Test("a certificate from the trusted authority for another server is refused", .enabled(if: PrivateServer.available))
    func anotherServersCertificate() async throws {
        let server = try await PrivateServer.start("redis", environment: ["LABGATE_TEST_CERT_NAMES": "DNS:redis.example.invalid"])
        defer { Task { try? await server.stop() } }
        let client = RedisClient(
            settings: RedisSettings(
                port: server.tlsPort, password: server.password, poolSize: 1, keyPrefix: "",
                tls: ServerTLS(caFile: server.folder.appendingPathComponent("tls/ca.pem").path)))
        await #expect {
            try await client.send("PING")
        } throws: { error in
            guard case .unavailable(_, let reason) = error as? StoreError else { return false }
            return reason.contains("failedToValidateHostname") && !reason.contains("CERTIFICATE_VERIFY_FAILED")
        }
        await client.shutdown()
    }

    @Test("an authorities file that cannot be read is named")
    func missingAuthorities() async throws {
        var settings = try tlsSettings()
        settings.tls = ServerTLS(caFile: "/nonexistent/labgate-ca.pem")
        let client = RedisClient(settings: settings)
        await #expect {
            try await client.send("PING")
        } throws: { error in
            "\(error)".contains("/nonexistent/labgate-ca.pem cannot be read")
        }
        await client.shutdown()
    }

    @Test("a client without TLS at the TLS port fails within its timeout instead of waiting for ever")
    func plainAtTheTLSPort() async throws {
        var settings = try tlsSettings()
        settings.tls = nil
        settings.timeout = .seconds(1)
        let client = RedisClient(settings: settings)
        let started = ContinuousClock.now
        await #expect(throws: StoreError.self) { try await client.send("PING") }
        #expect(started.duration(to: .now) < .seconds(5))
        await client.shutdown()
    }

    /// Checks that the client's shared channel and a pooled connection (for a command that
    /// waits) both end at `address`: `laddr` is the server's end, a TLS-only port.
    private func expectBothKindsOfConnection(of client: RedisClient, at address: String) async throws {
        for extraWait in [Duration.zero, .milliseconds(1)] {
            let info = try await client.pipeline([["CLIENT", "INFO"]], extraWait: extraWait)[0].string ?? ""
            #expect(info.contains("laddr=\(address) "), "\(info)")
        }
    }

    /// The shared test Redis at its TLS port, checked against the test authority.
    private func tlsSettings() throws -> RedisSettings {
        var settings = try TestServers.redis()
        settings.port = try #require(TestServers.redisTLSPort, "run the tests through scripts/test.sh, which gives the test Redis a TLS port")
        settings.tls = ServerTLS(caFile: try #require(TestServers.authority))
        return settings
    }
}
