import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What a first start leaves on disk, and what `config check` and `serve` make of bad secrets.
@Suite("Files, secrets and starts")
struct StartupSafetyTests {
    static let binary = CommandLineTests.binary

    static func scratchFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-start-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path
    }

    static func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode) & 0o777
    }

    @Test("a first start makes var/ 0700 and the database, its journal files and the key file 0600; config check names what others can read")
    func fileModesAfterFirstStart() async throws {
        let folder = try StartupSafetyTests.scratchFolder()
        let (server, _, ready) = try await CommandLineTests.serving(in: folder)
        #expect(ready, "serve did not become ready: \(server.errorOutput)")
        let varFolder = folder + "/var"
        #expect(Self.mode(varFolder) == 0o700)
        for file in ["labgate.sqlite", "labgate.sqlite-wal", "labgate.sqlite-shm", "secret.key"] {
            #expect(Self.mode(varFolder + "/" + file) == 0o600, "\(file)")
        }
        server.signal(SIGTERM)
        #expect(await server.exitStatus() == 0)

        chmod(varFolder, 0o755)
        chmod(varFolder + "/labgate.sqlite", 0o644)
        chmod(varFolder + "/secret.key", 0o640)
        let check = try await ChildProcess.run(Self.binary, ["config", "check"], in: folder)
        #expect(check.status == 0)
        for (path, mode) in [("/var", "755"), ("/var/labgate.sqlite", "644"), ("/var/secret.key", "640")] {
            #expect(check.error.contains("\(path) can be read by other local accounts (mode \(mode))"), "\(path): \(check.error)")
        }
    }

    @Test("config check and every command refuse a short secret, a short key file and a json-secret-key that is not 32 hex digits (exit 2)")
    func badSecretsExit2() async throws {
        let cases: [(environment: [String: String], keyFile: Data?, says: String)] = [
            (
                ["LABGATE_SECURITY_SECRET_KEY": "fourteen-chars"], nil,
                "security.secretKey = (hidden) (from LABGATE_SECURITY_SECRET_KEY): expected empty, or at least 32 characters"
            ),
            (["LABGATE_GUACAMOLE_JSON_SECRET_KEY": "zz" + String(repeating: "0", count: 30)], nil, "guacamole.jsonSecretKey = (hidden)"),
            (["LABGATE_GUACAMOLE_JSON_SECRET_KEY": String(repeating: "a", count: 31)], nil, "exactly 32 hexadecimal digits"),
            (["LABGATE_GUACAMOLE_URL": "https://lab.example.edu/guacamole"], nil, "guacamole.jsonSecretKey = (not set)"),
            (["LABGATE_PROXMOX_URL": "https://pve1.example.edu:8006"], nil, "proxmox.tokenId = (not set) (from LABGATE_PROXMOX_URL)"),
            ([:], Data(repeating: 7, count: 10), "the secret key file ./var/secret.key holds 10 bytes, fewer than 32"),
        ]
        for (environment, keyFile, says) in cases {
            let folder = try Self.scratchFolder()
            if let keyFile {
                try FileManager.default.createDirectory(atPath: folder + "/var", withIntermediateDirectories: true)
                try keyFile.write(to: URL(fileURLWithPath: folder + "/var/secret.key"))
            }
            for command in [["config", "check"], ["serve"]] {
                let result = try await ChildProcess.run(Self.binary, command, in: folder, environment: environment)
                #expect(result.status == 2, "\(command) \(environment)")
                #expect(result.error.contains(says), "\(command): \(result.error)")
                #expect(!result.error.contains("fourteen-chars"))
            }
        }
    }

    @Test("serve that fails while building the application exits 1 with the message, never a crash, 20 starts in a row")
    func failedBuildExits1() async throws {
        let folder = try Self.scratchFolder()
        let environment = [
            "LABGATE_PROXMOX_URL": "https://127.0.0.1:1", "LABGATE_PROXMOX_TRUST": "ca", "LABGATE_PROXMOX_CA_FILE": folder + "/missing-ca.pem",
            "LABGATE_PROXMOX_TOKEN_ID": "labgate@pve!gate", "LABGATE_PROXMOX_TOKEN_SECRET": "00000000-0000-0000-0000-000000000000",
            "LABGATE_SERVER_PORT": String(LoopbackAddress.random().port),
        ]
        for start in 1...20 {
            let result = try await ChildProcess.run(Self.binary, ["serve"], in: folder, environment: environment)
            #expect(result.status == 1, "start \(start): \(result.error)")
            #expect(result.error.contains("missing-ca.pem"), "start \(start): \(result.error)")
        }
    }

    @Test("config check masks credentials inside any URL")
    func urlCredentialsMasked() async throws {
        let result = try await ChildProcess.run(
            Self.binary, ["config", "check"], in: try Self.scratchFolder(),
            environment: [
                "LABGATE_PROXMOX_URL": "https://root:pve-pass-123@pve1.example.edu:8006", "LABGATE_PROXMOX_TRUST": "pinned",
                "LABGATE_PROXMOX_FINGERPRINT": String(repeating: "AB:", count: 31) + "AB",
                "LABGATE_PROXMOX_TOKEN_ID": "labgate@pve!gate", "LABGATE_PROXMOX_TOKEN_SECRET": "00000000-0000-0000-0000-000000000000",
            ])
        #expect(!result.output.contains("pve-pass-123") && !result.output.contains("root:"), "\(result.output)\(result.error)")
        #expect(result.output.contains("https://***@pve1.example.edu:8006"), "\(result.output)\(result.error)")
    }
}
