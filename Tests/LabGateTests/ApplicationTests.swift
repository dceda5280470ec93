import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LabCore
import TestSupport
import Testing

@testable import LabGate

@Suite("HTTP application")
struct ApplicationTests {
    struct Readiness: Decodable {
        struct Check: Decodable {
            var component: String
            var engine: String
            var ready: Bool
            var problem: String?
        }
        var status: String
        var checks: [Check]
    }

    static func readiness(_ response: TestResponse) throws -> Readiness {
        try JSONDecoder().decode(Readiness.self, from: Data(buffer: response.body))
    }

    @Test("/healthz answers while the process lives, with a request id")
    func healthz() async throws {
        let app = try await buildApplication(config: try TestConfig.embedded())
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"alive"}"#)
                #expect(response.headers[RequestIDMiddleware<BasicRequestContext>.header]?.isEmpty == false)
            }
        }
    }

    @Test("/readyz is 200 on the embedded defaults, and the database is migrated at start")
    func readyOnEmbeddedDefaults() async throws {
        let app = try await buildApplication(config: try TestConfig.embedded())
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let readiness = try Self.readiness(response)
                #expect(readiness.status == "ready")
                #expect(readiness.checks.map(\.component) == ["database", "ephemeral", "tool keys"])
                #expect(readiness.checks.map(\.engine) == ["SQLite", "in-process", "SQLite"])
                #expect(!String(buffer: response.body).contains(".sqlite") && !String(buffer: response.body).contains("/tmp"))
            }
        }
    }

    @Test("keys sealed under another secret: /readyz names the fix, the key set answers 503 in words, never 500")
    func toolKeysUnderAnotherSecret() async throws {
        let first = try TestConfig.embedded(["security.secretKey": String(repeating: "a", count: 32)])
        let path = first.settings.first { $0.key.path == "database.path" }!.value
        try await buildApplication(config: first).test(.router) { client in
            try await client.execute(uri: "/lti/jwks", method: .get) { #expect($0.status == .ok) }
        }
        let second = try LabGateConfig.defaults([
            "database.path": path, "security.secretKey": String(repeating: "b", count: 32),
            "lti.platformsDirectory": first.platformsDirectory,
        ])
        try await buildApplication(config: second).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let keys = try Self.readiness(response).checks.first { $0.component == "tool keys" }
                #expect(keys?.ready == false && keys?.problem?.contains("sealed under another secret key: give every process") == true)
            }
            try await client.execute(uri: "/lti/jwks", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("cannot use its signing keys"))
            }
        }
    }

    @Test("/readyz is 200 on real MariaDB and Redis", .enabled(if: TestConfig.serversUnderTest))
    func readyOnServers() async throws {
        try await TestConfig.withServers { config in
            try await buildApplication(config: config).test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    let readiness = try Self.readiness(response)
                    #expect(readiness.checks.allSatisfy { $0.ready })
                }
            }
        }
    }

    @Test(
        "servers going away turn /readyz to 503 naming them; once back, the next request is 200",
        .enabled(if: PrivateServer.available))
    func readinessFollowsServers() async throws {
        let mariaDB = try await PrivateServer.start("mariadb")
        let redis = try await PrivateServer.start("redis")
        let config = try TestConfig.servers(
            mariaDBPort: mariaDB.port, mariaDBPassword: mariaDB.password, redisPort: redis.port, redisPassword: redis.password)
        let app = try await buildApplication(config: config)
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }

            try await redis.stop()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let failing = try Self.readiness(response).checks.filter { !$0.ready }
                #expect(failing.map(\.component) == ["ephemeral"])
                #expect(failing.first?.problem == "does not answer; the log of this process has the cause")
            }
            try await mariaDB.stop()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let readiness = try Self.readiness(response)
                #expect(readiness.checks.filter { !$0.ready }.map(\.component) == ["database", "ephemeral", "tool keys"])
            }

            try await mariaDB.start()
            try await redis.start()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let readiness = try Self.readiness(response)
                #expect(readiness.status == "ready")
            }
        }
        try await mariaDB.stop()
        try await redis.stop()
    }

    @Test("/metrics serves Prometheus text that counts requests, to a holder of an API token")
    func metrics() async throws {
        let config = try TestConfig.embedded()
        let backends = try await Backends.open(config)
        let bearer = try await withCleanup {
            try await backends.migrate()
            return try await APITokens(repository: backends.repositories.apiTokens).create(name: "scraper", scope: .read, lifetime: nil, now: Date()).bearer
        } cleanup: {
            await backends.close()
        }
        let app = try await buildApplication(config: config)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(bearer)"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE http_server_request_duration histogram"))
                #expect(text.contains(#"http_route="/healthz""#))
            }
        }
    }

    @Test("a method LabGate never answers is refused with 405 and never becomes a metrics series")
    func unknownMethods() async throws {
        let config = try TestConfig.embedded()
        let backends = try await Backends.open(config)
        let bearer = try await withCleanup {
            try await backends.migrate()
            return try await APITokens(repository: backends.repositories.apiTokens).create(name: "scraper", scope: .read, lifetime: nil, now: Date()).bearer
        } cleanup: {
            await backends.close()
        }
        let app = try await buildApplication(config: config)
        try await app.test(.router) { client in
            for invented in ["INVENTED1", "INVENTED2"] {
                try await client.execute(uri: "/healthz", method: HTTPRequest.Method(invented)!) { response in
                    #expect(response.status == .methodNotAllowed)
                    #expect(response.headers[.allow] == "GET, PUT, POST, DELETE, PATCH, HEAD, OPTIONS, TRACE, QUERY")
                    #expect(String(buffer: response.body).contains(#""error":"method_not_allowed""#))
                    #expect(String(buffer: response.body).contains("does not answer the \(invented) method"))
                }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(bearer)"]) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains("INVENTED"))
            }
        }
    }

    @Test("a request id from the proxy is kept; a malformed one is replaced")
    func requestIDs() async throws {
        let app = try await buildApplication(config: try TestConfig.embedded())
        let header = RequestIDMiddleware<BasicRequestContext>.header
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get, headers: [header: "proxy-id.42"]) { response in
                #expect(response.headers[header] == "proxy-id.42")
            }
            try await client.execute(uri: "/nowhere", method: .get, headers: [header: "evil id\" level=critical"]) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("There is nothing at this address"))
                let id = try #require(response.headers[header])
                #expect(id != "evil id\" level=critical")
                #expect(RequestIDMiddleware<BasicRequestContext>.isPlausible(id))
            }
        }
    }
}

@Suite("Error mapping")
struct ErrorMappingTests {
    /// A router with the production middleware in front of routes that fail on purpose.
    func app() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.addMiddleware {
            RequestIDMiddleware()
            ErrorMappingMiddleware()
        }
        router.get("unavailable") { _, _ -> String in throw StoreError.unavailable(component: "database", reason: "connect to 10.1.2.3:3306 refused") }
        router.get("failed") { _, _ -> String in throw StoreError.failed("MariaDB error 1054: Unknown column 'secret_col'") }
        router.get("conflict") { _, _ -> String in throw StoreError.conflict("lab instance x was changed by someone else") }
        router.get("busy") { _, _ -> String in throw StoreError.retryable("deadlock") }
        return Application(router: router)
    }

    @Test("an unreachable store is a 503 that says so, without the internal cause")
    func unavailable() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/unavailable", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                let body = String(buffer: response.body)
                #expect(body.contains("The database is unavailable right now"))
                #expect(!body.contains("10.1.2.3"))
            }
            try await client.execute(uri: "/busy", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }

    @Test("an internal failure is a 500 that gives the request id, not the cause")
    func failed() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/failed", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = String(buffer: response.body)
                let id = try #require(response.headers[RequestIDMiddleware<BasicRequestContext>.header])
                #expect(body.contains(id))
                #expect(!body.contains("secret_col"))
            }
        }
    }

    @Test("a lost race is a 409 with the explanation")
    func conflict() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/conflict", method: .get) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("changed by someone else"))
            }
        }
    }
}
