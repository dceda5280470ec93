extension ConfigKey {
    /// Every key LabGate reads. Adding a setting starts here; the loader, `config check`
    /// and the validation all follow from this list.
    static let all: [ConfigKey] = [
        ConfigKey("server.host", .text, default: "127.0.0.1", help: "address the HTTP server listens on"),
        ConfigKey("server.port", .integer(1...65535), default: "8080", help: "port the HTTP server listens on"),
        ConfigKey("log.level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: "info",
                  help: "lowest level that is logged"),
        ConfigKey("log.format", .choice(["plain", "json"]), default: "plain", help: "plain text lines, or one JSON object per line"),

        ConfigKey("database.engine", .choice(["sqlite", "mariadb"]), default: "sqlite",
                  help: "sqlite (embedded, one process) or mariadb (production, many processes)"),
        ConfigKey("database.path", .text, default: "./var/labgate.sqlite", help: "SQLite file, created with its folder when missing"),
        ConfigKey("database.host", .text, default: "127.0.0.1", help: "MariaDB host"),
        ConfigKey("database.port", .integer(1...65535), default: "3306", help: "MariaDB port"),
        ConfigKey("database.name", .text, default: "labgate", help: "MariaDB database"),
        ConfigKey("database.user", .text, default: "labgate", help: "MariaDB user"),
        ConfigKey("database.password", .text, default: "", secret: true, help: "MariaDB password"),
        ConfigKey("database.poolSize", .integer(1...500), default: "10", help: "MariaDB connections (and their threads) per process"),
        ConfigKey("database.timeoutSeconds", .integer(1...300), default: "5",
                  help: "MariaDB connect timeout, and how long a request waits for a free connection"),
        ConfigKey("database.queryTimeoutSeconds", .integer(1...3600), default: "30", help: "how long one MariaDB statement may take"),
        ConfigKey("database.migrateOnStart", .boolean, default: "true", help: "apply pending migrations when `serve` or `worker` starts"),

        ConfigKey("ephemeral.engine", .choice(["memory", "redis"]), default: "memory",
                  help: "where short-lived state and the job queue live: memory (one process) or redis"),
        ConfigKey("redis.host", .text, default: "127.0.0.1", help: "Redis host"),
        ConfigKey("redis.port", .integer(1...65535), default: "6379", help: "Redis port"),
        ConfigKey("redis.password", .text, default: "", secret: true, help: "Redis password (AUTH); empty for none"),
        ConfigKey("redis.database", .integer(0...15), default: "0", help: "Redis logical database"),
        ConfigKey("redis.poolSize", .integer(1...500), default: "16", help: "Redis connections (and their threads) per process"),
        ConfigKey("redis.timeoutSeconds", .integer(1...300), default: "5", help: "Redis connect and command timeout"),
        ConfigKey("redis.keyPrefix", .text, default: "labgate:", help: "put before every key, so installations can share a Redis"),

        ConfigKey("queue.visibilityTimeoutSeconds", .integer(5...86_400), default: "300",
                  help: "how long a claimed job may go without a sign of life before another worker takes it"),
        ConfigKey("queue.maxAttempts", .integer(1...100), default: "5", help: "deliveries of a job before it is dead-lettered"),
        ConfigKey("worker.concurrency", .integer(1...1024), default: "64",
                  help: "jobs one worker process runs at once; a provisioning job mostly waits on Proxmox, so many fit"),
        ConfigKey("worker.inProcess", .boolean, default: "true",
                  help: "`serve` runs jobs and the reconciler itself; false leaves them to `labgate worker` (always true on ephemeral.engine memory)"),

        ConfigKey("proxmox.url", .text, default: "",
                  help: "the Proxmox VE API, https://pve.example.edu:8006; empty: a built-in simulated cluster (demo and trials only)"),
        ConfigKey("proxmox.tokenId", .text, default: "", help: "API token id, USER@REALM!TOKENID"),
        ConfigKey("proxmox.tokenSecret", .text, default: "", secret: true, help: "API token secret"),
        ConfigKey("proxmox.trust", .choice(["system", "ca", "pinned"]), default: "system",
                  help: "how the certificate is checked: the system's authorities, proxmox.caFile, or proxmox.fingerprint"),
        ConfigKey("proxmox.caFile", .text, default: "", help: "PEM file of the authority that signed the certificate (pve-root-ca.pem)"),
        ConfigKey("proxmox.fingerprint", .text, default: "", help: "SHA-256 fingerprint of the certificate, as the PVE web interface shows it"),
        ConfigKey("proxmox.timeoutSeconds", .integer(1...600), default: "30", help: "how long one API call may take"),
        ConfigKey("proxmox.simulatorConfig", .text, default: "",
                  help: "with proxmox.url empty: the simulated cluster's YAML (as for labgate pve-sim); empty: two nodes, template 9000"),

        ConfigKey("provisioning.environmentsDirectory", .text, default: "lti-config/environments",
                  help: "environments declared as YAML files, applied when `serve` starts"),
        ConfigKey("provisioning.vmidMin", .integer(100...999_999_999), default: "100000", help: "lowest VMID LabGate gives a clone"),
        ConfigKey("provisioning.vmidMax", .integer(100...999_999_999), default: "199999", help: "highest VMID LabGate gives a clone"),
        ConfigKey("provisioning.pool", .text, default: "labgate", help: "the Proxmox pool clones go into unless their environment names one"),
        ConfigKey("provisioning.maxClonesPerNode", .integer(1...64), default: "4", help: "clones one node runs at once"),
        ConfigKey("provisioning.maxClonesPerStorage", .integer(1...256), default: "8", help: "clones one storage takes at once"),
        ConfigKey("provisioning.addressTimeoutSeconds", .integer(10...3600), default: "300",
                  help: "how long a started VM has to report its address through the QEMU guest agent"),
        ConfigKey("provisioning.reconcileIntervalSeconds", .integer(5...3600), default: "60",
                  help: "how often Proxmox is compared with the database (drift, vanished VMs, orphans, lifetimes)"),
        ConfigKey("provisioning.orphanGraceMinutes", .integer(0...10_080), default: "10",
                  help: "how long a VM LabGate made but no record holds may live before it is destroyed"),

        ConfigKey("security.secretKey", .text, default: "", secret: true,
                  help: "at least 32 characters; encrypts the tool's private keys and signs cookies. Empty: read (or create) security.secretKeyFile"),
        ConfigKey("security.secretKeyFile", .text, default: "./var/secret.key",
                  help: "file holding the secret key when security.secretKey is empty; created (mode 600) on first start"),

        ConfigKey("lti.publicUrl", .text, default: "",
                  help: "the address browsers and platforms use for LabGate (https://labgate.example.edu); empty: http://server.host:server.port"),
        ConfigKey("lti.platformsDirectory", .text, default: "lti-config/platforms", help: "platforms declared as YAML files, applied at start"),
        ConfigKey("lti.allowInsecureLoopback", .boolean, default: "false",
                  help: "allow http:// for key sets and registration on loopback hosts (tests and the demo only)"),
        ConfigKey("lti.allowPrivateAddresses", .boolean, default: "false",
                  help: "let Dynamic Registration reach private and loopback addresses (tests and the demo only)"),
        ConfigKey("lti.autoApproveRegistrations", .boolean, default: "false",
                  help: "platforms that register dynamically are active at once instead of pending an admin's approval"),
        ConfigKey("lti.clockSkewSeconds", .integer(0...600), default: "60", help: "how far exp and iat of an id_token may be off"),
        ConfigKey("lti.keySetRefetchSeconds", .integer(0...3600), default: "10",
                  help: "least time between two fetches of a platform's key set caused by an unknown kid"),
        ConfigKey("lti.sessionMinutes", .integer(5...1440), default: "120", help: "how long the session cookie of a launch stays valid"),
    ]

    /// The key with this path.
    static func named(_ path: String) -> ConfigKey? {
        all.first { $0.path == path }
    }
}
