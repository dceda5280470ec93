import Foundation
import Storage
import Testing

@testable import LabGate
@testable import LabGateCLI

@Suite("Configuration")
struct ConfigLoaderTests {
    func file(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("with no file the embedded defaults apply: SQLite under ./var, in-process store and queue")
    func embeddedDefaults() throws {
        let config = try ConfigLoader(environment: [:], defaultFile: nil).load(file: nil)
        #expect(config.database == .sqlite(path: "./var/labgate.sqlite"))
        #expect(config.ephemeral == .memory)
        #expect(config.port == 8080)
        #expect(config.settings.allSatisfy { $0.source == .defaultValue })
    }

    @Test("the default file is read when it exists and skipped when it does not")
    func defaultFile() throws {
        let path = try file("server:\n  port: 9999\n")
        #expect(try ConfigLoader(environment: [:], defaultFile: path).load(file: nil).port == 9999)
        #expect(try ConfigLoader(environment: [:], defaultFile: "/nonexistent/labgate.yaml").load(file: nil).port == 8080)
    }

    @Test("the file sets values, the environment overrides the file, the command line overrides both")
    func precedence() throws {
        let path = try file(
            """
            server:
              port: 9000
              host: 0.0.0.0
            database:
              engine: mariadb
              host: db.internal
              password: from-file
            ephemeral:
              engine: redis
            redis:
              port: 6380
            """)
        let config = try ConfigLoader(environment: ["LABGATE_SERVER_PORT": "9100", "LABGATE_DATABASE_POOL_SIZE": "32"])
            .load(file: path, overrides: ["server.port": ("9200", "--port")])
        #expect(config.port == 9200)
        #expect(config.host == "0.0.0.0")
        guard case .mariaDB(let database) = config.database else {
            Issue.record("expected MariaDB")
            return
        }
        #expect(database.host == "db.internal")
        #expect(database.poolSize == 32)
        #expect(database.password == "from-file")
        guard case .redis(let redis) = config.ephemeral else {
            Issue.record("expected Redis")
            return
        }
        #expect(redis.port == 6380)
        #expect(redis.password == nil)

        let sources = Dictionary(uniqueKeysWithValues: config.settings.map { ($0.key.path, $0.source) })
        #expect(sources["server.port"] == .commandLine("--port"))
        #expect(sources["database.poolSize"] == .environment("LABGATE_DATABASE_POOL_SIZE"))
        #expect(sources["database.host"] == .file(path))
        #expect(sources["log.level"] == .defaultValue)
    }

    @Test("secrets come from systemd's credentials folder (LoadCredential=), below the environment; other keys do not")
    func credentials() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "from-credential\n".write(to: folder.appendingPathComponent("database.password"), atomically: true, encoding: .utf8)
        try "from-credential".write(to: folder.appendingPathComponent("redis.password"), atomically: true, encoding: .utf8)
        try "9999".write(to: folder.appendingPathComponent("server.port"), atomically: true, encoding: .utf8)
        let path = try file("database:\n  engine: mariadb\n  password: from-file\nephemeral:\n  engine: redis\n")
        let config = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": folder.path, "LABGATE_REDIS_PASSWORD": "from-environment"])
            .load(file: path)
        guard case .mariaDB(let database) = config.database, case .redis(let redis) = config.ephemeral else {
            Issue.record("expected MariaDB and Redis")
            return
        }
        #expect(database.password == "from-credential", "the credential file's last newline is not part of the secret")
        #expect(redis.password == "from-environment")
        #expect(config.port == 8080, "only secrets are read from credentials")
        let sources = Dictionary(uniqueKeysWithValues: config.settings.map { ($0.key.path, $0.source) })
        #expect(sources["database.password"] == .credential(folder.appendingPathComponent("database.password").path))
    }

    @Test("Sentinels are host:port addresses separated by commas; anything else is refused with the form expected")
    func sentinels() throws {
        let config = try ConfigLoader(
            environment: [
                "LABGATE_EPHEMERAL_ENGINE": "redis", "LABGATE_REDIS_SENTINELS": "10.0.0.1:26379, sentinel-2.example.edu:26380,[::1]:26381",
                "LABGATE_REDIS_MASTER_NAME": "lab",
            ], defaultFile: nil
        ).load(file: nil)
        guard case .redis(let redis) = config.ephemeral else {
            Issue.record("expected Redis")
            return
        }
        #expect(redis.sentinels.map(\.description) == ["10.0.0.1:26379", "sentinel-2.example.edu:26380", "[::1]:26381"])
        #expect(redis.masterName == "lab")
        for wrong in ["10.0.0.1", "10.0.0.1:0", "a:1,,b:2", ":26379"] {
            #expect(throws: ConfigError.self) {
                try ConfigLoader(environment: ["LABGATE_REDIS_SENTINELS": wrong], defaultFile: nil).load(file: nil)
            }
        }
    }

    @Test("TLS to MariaDB and to Redis is off by default, and on with the authorities file given, or the system's when none is")
    func serverTLS() throws {
        let plain = try ConfigLoader(environment: ["LABGATE_DATABASE_ENGINE": "mariadb", "LABGATE_EPHEMERAL_ENGINE": "redis"], defaultFile: nil)
            .load(file: nil)
        guard case .mariaDB(let database) = plain.database, case .redis(let redis) = plain.ephemeral else {
            Issue.record("expected MariaDB and Redis")
            return
        }
        #expect(database.tls == nil && redis.tls == nil)
        let secured = try ConfigLoader(
            environment: [
                "LABGATE_DATABASE_ENGINE": "mariadb", "LABGATE_DATABASE_TLS": "true", "LABGATE_DATABASE_CA_FILE": "/etc/labgate/db-ca.pem",
                "LABGATE_EPHEMERAL_ENGINE": "redis", "LABGATE_REDIS_TLS": "true",
            ], defaultFile: nil
        ).load(file: nil)
        guard case .mariaDB(let database) = secured.database, case .redis(let redis) = secured.ephemeral else {
            Issue.record("expected MariaDB and Redis")
            return
        }
        #expect(database.tls == ServerTLS(caFile: "/etc/labgate/db-ca.pem"))
        #expect(redis.tls == ServerTLS(caFile: nil))
    }

    @Test("a wrong value names the key, the value, where it came from and what is expected")
    func invalidValue() throws {
        #expect(
            throws: ConfigError.invalidValue(
                key: "database.poolSize", value: "\"lots\"", source: "LABGATE_DATABASE_POOL_SIZE",
                expected: "a whole number from 1 to 500")
        ) {
            try ConfigLoader(environment: ["LABGATE_DATABASE_POOL_SIZE": "lots"], defaultFile: nil).load(file: nil)
        }
        let path = try file("log:\n  format: xml\n")
        #expect(throws: ConfigError.invalidValue(key: "log.format", value: "\"xml\"", source: path, expected: "one of plain, json")) {
            try ConfigLoader(environment: [:]).load(file: path)
        }
        #expect(throws: ConfigError.invalidValue(key: "server.port", value: "\"0\"", source: "--port", expected: "a whole number from 1 to 65535")) {
            try ConfigLoader(environment: [:], defaultFile: nil).load(file: nil, overrides: ["server.port": ("0", "--port")])
        }
        #expect(
            throws: ConfigError.invalidValue(
                key: "provisioning.vmidMax", value: "\"500\"", source: "LABGATE_PROVISIONING_VMID_MAX",
                expected: "a VMID not below provisioning.vmidMin (100000)")
        ) {
            try ConfigLoader(environment: ["LABGATE_PROVISIONING_VMID_MAX": "500"], defaultFile: nil).load(file: nil)
        }
    }

    @Test("a typo in the file is an error, not a silently ignored setting")
    func unknownKey() throws {
        let path = try file("database:\n  pool_size: 5\n")
        #expect(throws: ConfigError.unknownKey(key: "database.pool_size", file: path)) {
            try ConfigLoader(environment: [:]).load(file: path)
        }
    }

    @Test("lists, broken YAML and missing files are refused with the reason")
    func malformedFiles() throws {
        let list = try file("server:\n  port: [1, 2]\n")
        #expect(throws: ConfigError.notAScalar(key: "server.port", file: list)) { try ConfigLoader(environment: [:]).load(file: list) }
        let broken = try file("server:\n  port: 8080\n   host: x\n")
        #expect { try ConfigLoader(environment: [:]).load(file: broken) } throws: { error in
            guard case ConfigError.malformedFile(let path, _) = error else { return false }
            return path == broken
        }
        #expect { try ConfigLoader(environment: [:]).load(file: "/nonexistent/labgate.yaml") } throws: { error in
            guard case ConfigError.unreadableFile(let path, _) = error else { return false }
            return path == "/nonexistent/labgate.yaml"
        }
    }

    @Test("every key has an environment variable LABGATE_ and its path in upper snake case")
    func environmentNames() {
        #expect(ConfigKey.named("database.poolSize")?.environmentName == "LABGATE_DATABASE_POOL_SIZE")
        #expect(ConfigKey.named("queue.visibilityTimeoutSeconds")?.environmentName == "LABGATE_QUEUE_VISIBILITY_TIMEOUT_SECONDS")
        #expect(Set(ConfigKey.all.map(\.environmentName)).count == ConfigKey.all.count)
        #expect(ConfigKey.all.allSatisfy { $0.accepts($0.defaultValue) })
    }

    @Test("config check shows every setting and masks secrets")
    func checkMasksSecrets() throws {
        let config = try ConfigLoader(environment: ["LABGATE_DATABASE_PASSWORD": "hunter2-secret", "LABGATE_REDIS_PASSWORD": ""], defaultFile: nil)
            .load(file: nil)
        let text = ConfigCommand.Check.render(config)
        #expect(!text.contains("hunter2-secret"))
        #expect(text.contains("database.password"))
        #expect(text.contains("******** (set)"))
        #expect(text.contains("(not set)"))
        #expect(ConfigKey.all.allSatisfy { text.contains($0.path) })
    }
}
