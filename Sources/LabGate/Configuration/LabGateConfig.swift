import GuacBridge
import LTIGateway
import LabCore
import Logging
import Provisioning
import Storage

/// LabGate's whole configuration, validated: built from the defaults, then the YAML file,
/// then `LABGATE_…` environment variables, then command-line options.
struct LabGateConfig: Sendable {
    /// Where the relational state lives.
    enum Database: Sendable, Hashable {
        case sqlite(path: String)
        case mariaDB(MariaDBSettings)
    }

    /// Where the ephemeral state and the job queue live.
    enum Ephemeral: Sendable, Hashable {
        case memory
        case redis(RedisSettings)
    }

    /// Which Proxmox VE provisioning talks to.
    enum Proxmox: Sendable {
        /// A simulated cluster in this process, from this YAML file or a small default.
        case simulator(configFile: String?)
        case cluster(ProxmoxSettings)
    }

    /// How log lines are written.
    enum LogFormat: String, Sendable {
        case plain, json
    }

    /// The file read when no `--config` is given; when it does not exist the embedded defaults apply.
    static let defaultFile = "lti-config/labgate.yaml"

    /// Every key with its effective value, in the order of `ConfigKey.all`.
    let settings: [ResolvedSetting]

    let host: String
    let port: Int
    let logLevel: Logger.Level
    let logFormat: LogFormat
    let database: Database
    let migrateOnStart: Bool
    let ephemeral: Ephemeral
    let queue: JobQueueSettings
    let workerConcurrency: Int
    /// Whether `serve` runs jobs and the reconciler itself (the launch benchmark turns it off).
    var workerInProcess: Bool
    let proxmox: Proxmox
    let provisioning: ProvisioningSettings
    let environmentsDirectory: String
    let reconcileInterval: Duration
    let lti: LTISettings
    /// What teachers may set for their course.
    let courseLimits: CourseLimits
    let guacamole: GuacBridgeSettings
    /// `guacamole.jsonSecretKey`, or nil to derive one from the secret key.
    let guacamoleJSONKey: String?
    /// Guacamole's own database, or nil for the same tables in LabGate's.
    let guacamoleDatabase: MariaDBSettings?
    let platformsDirectory: String
    /// The secret itself, or nil to use (or create) `secretKeyFile`.
    let secretKey: String?
    let secretKeyFile: String

    init(settings: [ResolvedSetting]) {
        self.settings = settings
        let values = Dictionary(uniqueKeysWithValues: settings.map { ($0.key.path, $0.value) })
        // Every value was validated against its key before this point.
        func text(_ path: String) -> String { values[path]! }
        func int(_ path: String) -> Int { Int(values[path]!)! }
        func seconds(_ path: String) -> Duration { .seconds(int(path)) }

        host = text("server.host")
        port = int("server.port")
        logLevel = Logger.Level(rawValue: text("log.level"))!
        logFormat = LogFormat(rawValue: text("log.format"))!
        migrateOnStart = text("database.migrateOnStart") == "true"
        workerConcurrency = int("worker.concurrency")
        workerInProcess = text("worker.inProcess") == "true" || text("ephemeral.engine") == "memory"
        environmentsDirectory = text("provisioning.environmentsDirectory")
        reconcileInterval = seconds("provisioning.reconcileIntervalSeconds")
        provisioning = ProvisioningSettings(
            vmidRange: int("provisioning.vmidMin")...int("provisioning.vmidMax"),
            maxClonesPerNode: int("provisioning.maxClonesPerNode"), maxClonesPerStorage: int("provisioning.maxClonesPerStorage"),
            defaultPool: text("provisioning.pool"), addressTimeout: seconds("provisioning.addressTimeoutSeconds"),
            maxStepAttempts: int("provisioning.maxStepAttempts"), instanceLease: seconds("queue.visibilityTimeoutSeconds"),
            orphanGrace: .seconds(int("provisioning.orphanGraceMinutes") * 60), stuckAfter: .seconds(int("provisioning.stuckAfterMinutes") * 60))
        if text("proxmox.url").isEmpty {
            proxmox = .simulator(configFile: text("proxmox.simulatorConfig").isEmpty ? nil : text("proxmox.simulatorConfig"))
        } else {
            let trust: ProxmoxTrust = switch text("proxmox.trust") {
            case "ca": .certificateAuthority(file: text("proxmox.caFile"))
            case "pinned": .pinned(sha256: text("proxmox.fingerprint"))
            default: .system
            }
            proxmox = .cluster(ProxmoxSettings(
                baseURL: text("proxmox.url"), tokenID: text("proxmox.tokenId"), tokenSecret: text("proxmox.tokenSecret"), trust: trust,
                requestTimeout: seconds("proxmox.timeoutSeconds")))
        }
        queue = JobQueueSettings(
            visibilityTimeout: seconds("queue.visibilityTimeoutSeconds"), maxAttempts: int("queue.maxAttempts"),
            retryDelay: .milliseconds(int("queue.retryDelayMilliseconds")))

        let publicURL = text("lti.publicUrl")
        lti = LTISettings(
            publicURL: publicURL.isEmpty ? "http://\(host):\(port)" : publicURL, clockSkew: seconds("lti.clockSkewSeconds"),
            allowInsecureLoopback: text("lti.allowInsecureLoopback") == "true",
            allowPrivateAddresses: text("lti.allowPrivateAddresses") == "true",
            autoApproveRegistrations: text("lti.autoApproveRegistrations") == "true",
            keySetRefetchInterval: seconds("lti.keySetRefetchSeconds"), sessionLifetime: .seconds(int("lti.sessionMinutes") * 60),
            trustForwardedFor: text("server.trustForwardedFor") == "true")
        platformsDirectory = text("lti.platformsDirectory")
        courseLimits = CourseLimits(
            maxCores: int("courses.maxCores"), maxMemoryMiB: int("courses.maxMemory"), maxLifetimeMinutes: int("courses.maxLifetimeMinutes"),
            maxIdleTimeoutMinutes: int("courses.maxIdleTimeoutMinutes"), vlans: ConfigKey.span(text("courses.vlans")))
        func optionalText(_ path: String) -> String? { text(path).isEmpty ? nil : text(path) }
        func optionalInt(_ path: String) -> Int? { int(path) == 0 ? nil : int(path) }
        guacamole = GuacBridgeSettings(
            gatewayURL: lti.publicURL, guacamoleURL: optionalText("guacamole.url"), group: text("guacamole.group"), rdpSecurity: text("guacamole.rdpSecurity"),
            ignoreCertificate: text("guacamole.ignoreCert") == "true", recordingPath: optionalText("guacamole.recordingPath"),
            maxConnections: optionalInt("guacamole.maxConnections"), maxConnectionsPerUser: optionalInt("guacamole.maxConnectionsPerUser"),
            linkLifetime: seconds("guacamole.linkSeconds"))
        guacamoleJSONKey = optionalText("guacamole.jsonSecretKey")
        guacamoleDatabase = optionalText("guacamole.database.host").map { host in
            MariaDBSettings(
                host: host, port: int("guacamole.database.port"), user: text("guacamole.database.user"),
                password: text("guacamole.database.password"), database: text("guacamole.database.name"),
                poolSize: int("guacamole.database.poolSize"), timeout: seconds("database.timeoutSeconds"),
                queryTimeout: seconds("database.queryTimeoutSeconds"), acquireTimeout: seconds("database.timeoutSeconds"))
        }
        secretKey = text("security.secretKey").isEmpty ? nil : text("security.secretKey")
        secretKeyFile = text("security.secretKeyFile")

        if text("database.engine") == "mariadb" {
            database = .mariaDB(MariaDBSettings(
                host: text("database.host"), port: int("database.port"), user: text("database.user"),
                password: text("database.password"), database: text("database.name"), poolSize: int("database.poolSize"),
                timeout: seconds("database.timeoutSeconds"), queryTimeout: seconds("database.queryTimeoutSeconds"),
                acquireTimeout: seconds("database.timeoutSeconds")))
        } else {
            database = .sqlite(path: text("database.path"))
        }

        if text("ephemeral.engine") == "redis" {
            let password = text("redis.password")
            ephemeral = .redis(RedisSettings(
                host: text("redis.host"), port: int("redis.port"), password: password.isEmpty ? nil : password,
                database: int("redis.database"), poolSize: int("redis.poolSize"), timeout: seconds("redis.timeoutSeconds"),
                acquireTimeout: seconds("redis.timeoutSeconds"), keyPrefix: text("redis.keyPrefix")))
        } else {
            ephemeral = .memory
        }
    }

    /// The embedded defaults with some values replaced, ignoring any configuration file
    /// and environment variable: for tests and tools.
    static func defaults(_ overrides: [String: String] = [:]) throws(ConfigError) -> LabGateConfig {
        try ConfigLoader(environment: [:], defaultFile: nil).load(file: nil, overrides: overrides.mapValues { ($0, "override") })
    }
}
