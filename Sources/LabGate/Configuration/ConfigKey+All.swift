extension ConfigKey {
    /// Every key LabGate reads. Adding a setting starts here; the loader, `config check`
    /// and the validation all follow from this list.
    static let all: [ConfigKey] = [
        ConfigKey("server.host", .text, default: "127.0.0.1", help: "address the HTTP server listens on"),
        ConfigKey("server.port", .integer(1...65535), default: "8080", help: "port the HTTP server listens on"),
        ConfigKey(
            "server.idleTimeoutSeconds", .integer(1...3600), default: "75",
            help: "a connection that sends nothing for this long is closed; longer than the 60 s proxies and HTTP clients keep an idle connection"),
        ConfigKey(
            "server.trustForwardedFor", .boolean, default: "false",
            help: "behind a reverse proxy: take the client's address from X-Forwarded-For (for the audit trail)"),
        ConfigKey(
            "log.level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: "info",
            help: "lowest level that is logged"),
        ConfigKey("log.format", .choice(["plain", "json"]), default: "plain", help: "plain text lines, or one JSON object per line"),

        ConfigKey(
            "database.engine", .choice(["sqlite", "mariadb"]), default: "sqlite",
            help: "sqlite (embedded, one process) or mariadb (production, many processes)"),
        ConfigKey("database.path", .text, default: "./var/labgate.sqlite", help: "SQLite file, created with its folder when missing"),
        ConfigKey("database.host", .text, default: "127.0.0.1", help: "MariaDB host"),
        ConfigKey("database.port", .integer(1...65535), default: "3306", help: "MariaDB port"),
        ConfigKey("database.name", .text, default: "labgate", help: "MariaDB database"),
        ConfigKey("database.user", .text, default: "labgate", help: "MariaDB user"),
        ConfigKey("database.password", .text, default: "", secret: true, help: "MariaDB password"),
        ConfigKey("database.poolSize", .integer(1...500), default: "10", help: "MariaDB connections (and their threads) per process"),
        ConfigKey(
            "database.timeoutSeconds", .integer(1...300), default: "5",
            help: "MariaDB connect timeout, and how long a request waits for a free connection"),
        ConfigKey("database.queryTimeoutSeconds", .integer(1...3600), default: "30", help: "how long one MariaDB statement may take"),
        ConfigKey(
            "database.tls", .boolean, default: "false",
            help: "speak TLS to MariaDB, checking its certificate (authority and host name or address); a server without TLS is refused"),
        ConfigKey(
            "database.caFile", .text, default: "",
            help: "PEM file of the authorities that sign MariaDB's certificate; empty: the system's"),
        ConfigKey("database.migrateOnStart", .boolean, default: "true", help: "apply pending migrations when `serve` or `worker` starts"),

        ConfigKey(
            "ephemeral.engine", .choice(["memory", "redis"]), default: "memory",
            help: "where short-lived state and the job queue live: memory (one process) or redis"),
        ConfigKey("redis.host", .text, default: "127.0.0.1", help: "Redis host"),
        ConfigKey("redis.port", .integer(1...65535), default: "6379", help: "Redis port"),
        ConfigKey("redis.password", .text, default: "", secret: true, help: "Redis password (AUTH); empty for none"),
        ConfigKey("redis.database", .integer(0...15), default: "0", help: "Redis logical database"),
        ConfigKey(
            "redis.poolSize", .integer(1...500), default: "16",
            help: "Redis connections per process for commands that wait on the server (a worker's waiting claim holds one)"),
        ConfigKey("redis.timeoutSeconds", .integer(1...300), default: "5", help: "Redis connect and command timeout"),
        ConfigKey("redis.keyPrefix", .text, default: "labgate:", help: "put before every key, so installations can share a Redis"),
        ConfigKey(
            "redis.sentinels", .addresses, default: "",
            help: "Redis Sentinels (host:port, comma separated) that say where the primary is; empty: redis.host is the primary"),
        ConfigKey("redis.masterName", .text, default: "labgate", help: "the name the Sentinels monitor the primary under"),
        ConfigKey("redis.sentinelPassword", .text, default: "", secret: true, help: "the Sentinels' own password (requirepass); empty for none"),
        ConfigKey(
            "redis.tls", .boolean, default: "false",
            help: "speak TLS to Redis and the Sentinels, checking their certificates (authority and host name or address)"),
        ConfigKey("redis.caFile", .text, default: "", help: "PEM file of the authorities that sign Redis's certificates; empty: the system's"),

        ConfigKey(
            "queue.visibilityTimeoutSeconds", .integer(5...86_400), default: "300",
            help: "how long a claimed job may go without a sign of life before another worker takes it"),
        ConfigKey("queue.maxAttempts", .integer(1...100), default: "5", help: "deliveries of a job before it is dead-lettered"),
        ConfigKey(
            "queue.retryDelayMilliseconds", .integer(10...600_000), default: "5000",
            help: "the pause before a failed job's second attempt; it doubles with each attempt, up to 5 minutes"),
        ConfigKey(
            "worker.concurrency", .integer(1...1024), default: "64",
            help: "jobs one worker process runs at once; a provisioning job mostly waits on Proxmox, so many fit"),
        ConfigKey(
            "worker.inProcess", .boolean, default: "true",
            help: "`serve` runs jobs and the reconciler itself; false leaves them to `labgate worker` (always true on ephemeral.engine memory)"),
        ConfigKey(
            "worker.port", .integer(0...65535), default: "0",
            help: "port on server.host where `labgate worker` answers /healthz, /readyz and /metrics (for probes and Prometheus); 0: none"),

        ConfigKey(
            "proxmox.url", .serverURL, default: "",
            help: "the Proxmox VE API, https://pve.example.edu:8006; empty: a built-in simulated cluster (demo and trials only)"),
        ConfigKey("proxmox.tokenId", .text, default: "", help: "API token id, USER@REALM!TOKENID"),
        ConfigKey("proxmox.tokenSecret", .text, default: "", secret: true, help: "API token secret"),
        ConfigKey(
            "proxmox.trust", .choice(["system", "ca", "pinned"]), default: "system",
            help: "how the certificate is checked: the system's authorities, proxmox.caFile, or proxmox.fingerprint"),
        ConfigKey("proxmox.caFile", .text, default: "", help: "PEM file of the authority that signed the certificate (pve-root-ca.pem)"),
        ConfigKey("proxmox.fingerprint", .text, default: "", help: "SHA-256 fingerprint of the certificate, as the PVE web interface shows it"),
        ConfigKey("proxmox.timeoutSeconds", .integer(1...600), default: "30", help: "how long one API call may take"),
        ConfigKey(
            "proxmox.simulatorConfig", .text, default: "",
            help: "with proxmox.url empty: the simulated cluster's YAML (as for labgate pve-sim); empty: two nodes, template 9000"),

        ConfigKey(
            "provisioning.environmentsDirectory", .text, default: "lti-config/environments",
            help: "environments declared as YAML files, applied when `serve` starts"),
        ConfigKey("provisioning.vmidMin", .integer(100...999_999_999), default: "100000", help: "lowest VMID LabGate gives a clone"),
        ConfigKey("provisioning.vmidMax", .integer(100...999_999_999), default: "199999", help: "highest VMID LabGate gives a clone"),
        ConfigKey("provisioning.pool", .text, default: "labgate", help: "the Proxmox pool clones go into unless their environment names one"),
        ConfigKey("provisioning.maxClonesPerNode", .integer(1...64), default: "4", help: "clones one node runs at once"),
        ConfigKey("provisioning.maxClonesPerStorage", .integer(1...256), default: "8", help: "clones one storage takes at once"),
        ConfigKey(
            "provisioning.addressTimeoutSeconds", .integer(10...3600), default: "300",
            help: "how long a started VM has to report its address through the QEMU guest agent"),
        ConfigKey(
            "provisioning.reconcileIntervalSeconds", .integer(5...3600), default: "60",
            help: "how often Proxmox is compared with the database (drift, vanished VMs, orphans, lifetimes)"),
        ConfigKey(
            "provisioning.orphanGraceMinutes", .integer(0...10_080), default: "10",
            help: "how long a VM LabGate made but no record holds may live before it is destroyed"),
        ConfigKey(
            "provisioning.maxStepAttempts", .integer(1...100), default: "5",
            help: "failed attempts in one state (each after the queue's backoff) before a lab fails with the last error"),
        ConfigKey(
            "provisioning.stuckAfterMinutes", .integer(1...1440), default: "15",
            help: "a lab untouched this long in a transient state gets its job again; twice this long with no worker, it fails"),
        ConfigKey(
            "provisioning.checkIntervalSeconds", .integer(1...86_400), default: "60",
            help: "the least time between two runs of one lab's checks (Check my work; a hand-in has its own allowance)"),

        ConfigKey("courses.maxCores", .integer(1...256), default: "8", help: "most cores a teacher may give their course's lab VM"),
        ConfigKey("courses.maxMemory", .integer(256...1_048_576), default: "16384", help: "most memory (MiB) a teacher may give their course's lab VM"),
        ConfigKey("courses.maxLifetimeMinutes", .integer(5...43_200), default: "720", help: "longest lifetime a teacher may set for their course's labs"),
        ConfigKey("courses.maxIdleTimeoutMinutes", .integer(5...10_080), default: "240", help: "longest idle timeout a teacher may set"),
        ConfigKey(
            "courses.vlans", .span(1...4094), default: "",
            help: "VLANs a teacher may put their course's labs on, as FROM-TO (e.g. 2000-2999); empty: teachers choose none"),

        ConfigKey(
            "guacamole.url", .webURL, default: "",
            help: "Guacamole's address (https://lab.example.edu/guacamole); empty: single-use links open LabGate's own preview of the login"),
        ConfigKey(
            "guacamole.jsonSecretKey", .hexDigits(32), default: "", secret: true,
            help: "json-secret-key of guacamole.properties, 32 hex digits; needed with guacamole.url (empty: derived from security.secretKey)"),
        ConfigKey(
            "guacamole.database.host", .text, default: "",
            help: "MariaDB host of Guacamole's database; empty: the same tables in LabGate's own database"),
        ConfigKey("guacamole.database.port", .integer(1...65535), default: "3306", help: "MariaDB port of Guacamole's database"),
        ConfigKey("guacamole.database.name", .text, default: "guacamole_db", help: "Guacamole's MariaDB database"),
        ConfigKey("guacamole.database.user", .text, default: "guacamole_user", help: "MariaDB user for Guacamole's database"),
        ConfigKey("guacamole.database.password", .text, default: "", secret: true, help: "MariaDB password for Guacamole's database"),
        ConfigKey("guacamole.database.poolSize", .integer(1...100), default: "4", help: "connections to Guacamole's database per process"),
        ConfigKey("guacamole.database.tls", .boolean, default: "false", help: "speak TLS to Guacamole's database, as database.tls does"),
        ConfigKey(
            "guacamole.database.caFile", .text, default: "",
            help: "PEM file of the authorities that sign the certificate of Guacamole's database; empty: the system's"),
        ConfigKey(
            "guacamole.database.timeZone", .timeZone, default: "UTC",
            help: "the time zone in which Guacamole writes the times of its database (its Java VM's: UTC in Guacamole's images)"),
        ConfigKey("guacamole.group", .text, default: "labgate", help: "Guacamole connection group LabGate's connections live in"),
        ConfigKey(
            "guacamole.rdpSecurity", .choice(["any", "nla", "nla-ext", "tls", "rdp", "vmconnect"]), default: "any",
            help: "RDP security mode of the connections"),
        ConfigKey("guacamole.ignoreCert", .boolean, default: "true", help: "RDP: accept the VM's self-signed certificate"),
        ConfigKey("guacamole.recordingPath", .text, default: "", help: "where guacd records sessions; empty: no recording"),
        ConfigKey(
            "guacamole.maxConnections", .integer(0...10_000), default: "0",
            help: "concurrent sessions per connection; 0: Guacamole's default"),
        ConfigKey(
            "guacamole.maxConnectionsPerUser", .integer(0...10_000), default: "0",
            help: "concurrent sessions per connection and user; 0: Guacamole's default"),
        ConfigKey(
            "guacamole.linkSeconds", .integer(5...600), default: "60",
            help: "how long a single-use link (and the Guacamole login it leads to) stays good"),

        ConfigKey(
            "security.secretKey", .longSecret(minimum: 32), default: "", secret: true,
            help: "at least 32 characters; encrypts the tool's private keys and signs cookies. Empty: read (or create) security.secretKeyFile"),
        ConfigKey(
            "security.secretKeyFile", .text, default: "./var/secret.key",
            help: "file holding the secret key when security.secretKey is empty; created (mode 600) on first start"),

        ConfigKey(
            "lti.publicUrl", .webURL, default: "",
            help: "the address browsers and platforms use for LabGate (https://labgate.example.edu); empty: http://server.host:server.port"),
        ConfigKey("lti.platformsDirectory", .text, default: "lti-config/platforms", help: "platforms declared as YAML files, applied at start"),
        ConfigKey(
            "lti.allowInsecureLoopback", .boolean, default: "false",
            help: "allow http:// for key sets and registration on loopback hosts (tests and the demo only)"),
        ConfigKey(
            "lti.allowPrivateAddresses", .boolean, default: "false",
            help: "let Dynamic Registration reach private and loopback addresses (tests and the demo only)"),
        ConfigKey(
            "lti.autoApproveRegistrations", .boolean, default: "false",
            help: "platforms that register dynamically are active at once instead of pending an admin's approval"),
        ConfigKey("lti.clockSkewSeconds", .integer(0...600), default: "60", help: "how far exp and iat of an id_token may be off"),
        ConfigKey(
            "lti.keySetRefetchSeconds", .integer(0...3600), default: "1",
            help: "least time between two fetches of a platform's key set caused by an unknown kid; a launch waits up to 2 s for the next"),
        ConfigKey("lti.sessionMinutes", .integer(5...1440), default: "120", help: "how long the session cookie of a launch stays valid"),
        ConfigKey(
            "lti.rosterMaxAgeMinutes", .integer(1...10_080), default: "15",
            help: "how old a course's roster (read from the platform, NRPS) may be before it is read again (on opening the course page, and by workers)"),
        ConfigKey(
            "lti.rosterLeaverGraceHours", .integer(0...720), default: "24",
            help: "how long the lab of a student who left the course (by its roster) is kept before it is deleted"),
        ConfigKey(
            "lti.readyMessageAfterSeconds", .integer(0...3600), default: "60",
            help: "a student whose new lab took longer than this gets a Moodle message when it is ready (needs the platform's web services)"),
    ]

    /// The key with this path.
    static func named(_ path: String) -> ConfigKey? {
        all.first { $0.path == path }
    }
}
