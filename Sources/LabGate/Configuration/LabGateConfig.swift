import Foundation
import GuacBridge
import LTIGateway
import LabCore
import Logging
import Provisioning
import Storage

/// LabGate's whole configuration, validated: built from the defaults, then the YAML file,
/// then `LABGATE_…` environment variables, then command-line options.
package struct LabGateConfig: Sendable {
    /// Where the relational state lives.
    package enum Database: Sendable, Hashable {
        case sqlite(path: String)
        case mariaDB(MariaDBSettings)
    }

    /// Where the ephemeral state and the job queue live.
    package enum Ephemeral: Sendable, Hashable {
        case memory
        case redis(RedisSettings)
    }

    /// Which Proxmox VE provisioning talks to.
    package enum Proxmox: Sendable {
        /// A simulated cluster in this process, from this YAML file or a small default.
        case simulator(configFile: String?)
        case cluster(ProxmoxSettings)
    }

    /// How log lines are written.
    package enum LogFormat: String, Sendable {
        case plain, json
    }

    /// The file read when no `--config` is given; when it does not exist the embedded defaults apply.
    package static let defaultFile = "lti-config/labgate.yaml"

    /// Every key with its effective value, in the order of `ConfigKey.all`.
    package let settings: [ResolvedSetting]

    let host: String
    let port: Int
    /// A connection that sends nothing for this long is closed.
    let idleTimeout: Duration
    let logLevel: Logger.Level
    let logFormat: LogFormat
    package let database: Database
    package let migrateOnStart: Bool
    package let ephemeral: Ephemeral
    package let queue: JobQueueSettings
    let workerConcurrency: Int
    /// Where `labgate worker` answers its probes and metrics; 0: nowhere.
    let workerPort: Int
    /// Whether `serve` runs jobs and the reconciler itself (the launch benchmark turns it off).
    package var workerInProcess: Bool
    package let proxmox: Proxmox
    package let provisioning: ProvisioningSettings
    let environmentsDirectory: String
    package let reconcileInterval: Duration
    /// A new lab that took longer is announced by a Moodle message.
    let readyMessageAfter: Duration
    package let lti: LTISettings
    /// What teachers may set for their course.
    let courseLimits: CourseLimits
    package let guacamole: GuacBridgeSettings
    /// `guacamole.jsonSecretKey`, or nil to derive one from the secret key.
    let guacamoleJSONKey: String?
    /// Guacamole's own database, or nil for the same tables in LabGate's.
    let guacamoleDatabase: MariaDBSettings?
    /// The zone of the times in Guacamole's tables.
    let guacamoleTimeZone: TimeZone
    let platformsDirectory: String
    /// The secret itself, or nil to use (or create) `secretKeyFile`.
    let secretKey: String?
    let secretKeyFile: String

    init(settings: [ResolvedSetting]) {
        self.settings = settings
        let values = ConfigValues(settings)
        host = values.text("server.host")
        port = values.int("server.port")
        idleTimeout = values.seconds("server.idleTimeoutSeconds")
        logLevel = Logger.Level(rawValue: values.text("log.level"))!
        logFormat = LogFormat(rawValue: values.text("log.format"))!
        database = Database(values)
        migrateOnStart = values.flag("database.migrateOnStart")
        ephemeral = Ephemeral(values)
        queue = JobQueueSettings(values)
        workerConcurrency = values.int("worker.concurrency")
        workerPort = values.int("worker.port")
        workerInProcess = values.flag("worker.inProcess") || values.text("ephemeral.engine") == "memory"
        proxmox = Proxmox(values)
        provisioning = ProvisioningSettings(values)
        environmentsDirectory = values.text("provisioning.environmentsDirectory")
        reconcileInterval = values.seconds("provisioning.reconcileIntervalSeconds")
        readyMessageAfter = values.seconds("lti.readyMessageAfterSeconds")
        lti = LTISettings(values, host: host, port: port)
        platformsDirectory = values.text("lti.platformsDirectory")
        courseLimits = CourseLimits(values)
        guacamole = GuacBridgeSettings(values, gatewayURL: lti.publicURL)
        guacamoleJSONKey = values.optionalText("guacamole.jsonSecretKey")
        guacamoleDatabase = values.optionalText("guacamole.database.host").map { MariaDBSettings(values, section: "guacamole.database", host: $0) }
        // Checked when loaded: the key accepts only names the system knows.
        guacamoleTimeZone = TimeZone(identifier: values.text("guacamole.database.timeZone")) ?? TimeZone(identifier: "UTC")!
        secretKey = values.optionalText("security.secretKey")
        secretKeyFile = values.text("security.secretKeyFile")
    }

    /// The embedded defaults with some values replaced, ignoring any configuration file
    /// and environment variable: for tests and tools.
    package static func defaults(_ overrides: [String: String] = [:]) throws(ConfigError) -> LabGateConfig {
        try ConfigLoader(environment: [:], defaultFile: nil).load(file: nil, overrides: overrides.mapValues { ($0, "override") })
    }
}
