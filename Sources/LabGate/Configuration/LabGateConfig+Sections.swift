import GuacBridge
import LTIGateway
import LabCore
import Provisioning
import Storage

/// The resolved values by key path; every one was validated against its key before.
struct ConfigValues {
    private let values: [String: String]

    init(_ settings: [ResolvedSetting]) {
        values = Dictionary(uniqueKeysWithValues: settings.map { ($0.key.path, $0.value) })
    }

    func text(_ path: String) -> String { values[path]! }
    func int(_ path: String) -> Int { Int(text(path))! }
    func flag(_ path: String) -> Bool { text(path) == "true" }
    func seconds(_ path: String) -> Duration { .seconds(int(path)) }
    func minutes(_ path: String) -> Duration { .seconds(int(path) * 60) }
    /// nil for an empty value.
    func optionalText(_ path: String) -> String? { text(path).isEmpty ? nil : text(path) }
    /// nil for 0, which such keys use for "no limit".
    func optionalInt(_ path: String) -> Int? { int(path) == 0 ? nil : int(path) }
}

extension LabGateConfig.Database {
    init(_ values: ConfigValues) {
        self =
            values.text("database.engine") == "mariadb"
            ? .mariaDB(MariaDBSettings(values, section: "database", host: values.text("database.host")))
            : .sqlite(path: values.text("database.path"))
    }
}

extension MariaDBSettings {
    /// LabGate's database (`database.…`) or Guacamole's (`guacamole.database.…`); both wait
    /// as long as `database.timeoutSeconds` and `database.queryTimeoutSeconds` say.
    init(_ values: ConfigValues, section: String, host: String) {
        self.init(
            host: host, port: values.int("\(section).port"), user: values.text("\(section).user"),
            password: values.text("\(section).password"), database: values.text("\(section).name"),
            poolSize: values.int("\(section).poolSize"), timeout: values.seconds("database.timeoutSeconds"),
            queryTimeout: values.seconds("database.queryTimeoutSeconds"), acquireTimeout: values.seconds("database.timeoutSeconds"),
            tls: values.flag("\(section).tls") ? ServerTLS(caFile: values.optionalText("\(section).caFile")) : nil)
    }
}

extension LabGateConfig.Ephemeral {
    init(_ values: ConfigValues) {
        guard values.text("ephemeral.engine") == "redis" else {
            self = .memory
            return
        }
        self = .redis(
            RedisSettings(
                host: values.text("redis.host"), port: values.int("redis.port"), password: values.optionalText("redis.password"),
                database: values.int("redis.database"), poolSize: values.int("redis.poolSize"), timeout: values.seconds("redis.timeoutSeconds"),
                acquireTimeout: values.seconds("redis.timeoutSeconds"), keyPrefix: values.text("redis.keyPrefix"),
                sentinels: ConfigKey.addresses(values.text("redis.sentinels")) ?? [], masterName: values.text("redis.masterName"),
                sentinelPassword: values.optionalText("redis.sentinelPassword"),
                tls: values.flag("redis.tls") ? ServerTLS(caFile: values.optionalText("redis.caFile")) : nil))
    }
}

extension JobQueueSettings {
    init(_ values: ConfigValues) {
        self.init(
            visibilityTimeout: values.seconds("queue.visibilityTimeoutSeconds"), maxAttempts: values.int("queue.maxAttempts"),
            retryDelay: .milliseconds(values.int("queue.retryDelayMilliseconds")))
    }
}

extension LabGateConfig.Proxmox {
    init(_ values: ConfigValues) {
        guard let url = values.optionalText("proxmox.url") else {
            self = .simulator(configFile: values.optionalText("proxmox.simulatorConfig"))
            return
        }
        let trust: ProxmoxTrust =
            switch values.text("proxmox.trust") {
            case "ca": .certificateAuthority(file: values.text("proxmox.caFile"))
            case "pinned": .pinned(sha256: values.text("proxmox.fingerprint"))
            default: .system
            }
        self = .cluster(
            ProxmoxSettings(
                baseURL: url, tokenID: values.text("proxmox.tokenId"), tokenSecret: values.text("proxmox.tokenSecret"), trust: trust,
                requestTimeout: values.seconds("proxmox.timeoutSeconds")))
    }
}

extension ProvisioningSettings {
    init(_ values: ConfigValues) {
        self.init(
            vmidRange: values.int("provisioning.vmidMin")...values.int("provisioning.vmidMax"),
            maxClonesPerNode: values.int("provisioning.maxClonesPerNode"), maxClonesPerStorage: values.int("provisioning.maxClonesPerStorage"),
            defaultPool: values.text("provisioning.pool"), addressTimeout: values.seconds("provisioning.addressTimeoutSeconds"),
            maxStepAttempts: values.int("provisioning.maxStepAttempts"),
            // Renewed every third of it while a worker works: short, so a dead worker's labs (and clone slots) move on soon.
            instanceLease: min(values.seconds("queue.visibilityTimeoutSeconds"), .seconds(30)),
            orphanGrace: values.minutes("provisioning.orphanGraceMinutes"), stuckAfter: values.minutes("provisioning.stuckAfterMinutes"),
            checkInterval: values.seconds("provisioning.checkIntervalSeconds"), workerJobs: values.int("worker.concurrency"))
    }
}

extension LTISettings {
    /// Without `lti.publicUrl`, the address the server listens on.
    init(_ values: ConfigValues, host: String, port: Int) {
        self.init(
            publicURL: values.optionalText("lti.publicUrl") ?? "http://\(host):\(port)", clockSkew: values.seconds("lti.clockSkewSeconds"),
            allowInsecureLoopback: values.flag("lti.allowInsecureLoopback"), allowPrivateAddresses: values.flag("lti.allowPrivateAddresses"),
            autoApproveRegistrations: values.flag("lti.autoApproveRegistrations"),
            keySetRefetchInterval: values.seconds("lti.keySetRefetchSeconds"), sessionLifetime: values.minutes("lti.sessionMinutes"),
            trustForwardedFor: values.flag("server.trustForwardedFor"), rosterMaxAge: values.minutes("lti.rosterMaxAgeMinutes"),
            leaverGrace: .seconds(values.int("lti.rosterLeaverGraceHours") * 3600))
    }
}

extension CourseLimits {
    init(_ values: ConfigValues) {
        self.init(
            maxCores: values.int("courses.maxCores"), maxMemoryMiB: values.int("courses.maxMemory"),
            maxLifetimeMinutes: values.int("courses.maxLifetimeMinutes"), maxIdleTimeoutMinutes: values.int("courses.maxIdleTimeoutMinutes"),
            vlans: ConfigKey.span(values.text("courses.vlans")))
    }
}

extension GuacBridgeSettings {
    init(_ values: ConfigValues, gatewayURL: String) {
        self.init(
            gatewayURL: gatewayURL, guacamoleURL: values.optionalText("guacamole.url"), group: values.text("guacamole.group"),
            rdpSecurity: values.text("guacamole.rdpSecurity"), ignoreCertificate: values.flag("guacamole.ignoreCert"),
            recordingPath: values.optionalText("guacamole.recordingPath"), maxConnections: values.optionalInt("guacamole.maxConnections"),
            maxConnectionsPerUser: values.optionalInt("guacamole.maxConnectionsPerUser"), linkLifetime: values.seconds("guacamole.linkSeconds"))
    }
}
