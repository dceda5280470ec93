import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// The real `labgate` binary, run as an operator would run it.
@Suite("labgate command line")
struct CommandLineTests {
    /// `labgate` sits beside the test bundle in the build folder.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("labgate").path

    func scratchFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path
    }

    @Test("a bad setting exits with status 2 and one line naming key, value and expectation, writing nothing")
    func badConfigurationExits2() async throws {
        let folder = try scratchFolder()
        for command in [["config", "check"], ["serve"], ["migrate"], ["worker"]] {
            let result = try await ChildProcess.run(Self.binary, command, in: folder, environment: ["LABGATE_SERVER_PORT": "99999"])
            #expect(result.status == 2, "labgate \(command.joined(separator: " "))")
            #expect(
                result.error == "labgate: configuration error: server.port = \"99999\" (from LABGATE_SERVER_PORT): expected a whole number from 1 to 65535\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("config check refuses a proxmox.url that names the API path (every call would be a 404)")
    func proxmoxURLWithAPIPath() async throws {
        let result = try await ChildProcess.run(
            Self.binary, ["config", "check"], in: try scratchFolder(), environment: ["LABGATE_PROXMOX_URL": "https://pve1.example.edu:8006/api2/json"])
        #expect(result.status == 2)
        #expect(
            result.error == "labgate: configuration error: proxmox.url = \"https://pve1.example.edu:8006/api2/json\" (from LABGATE_PROXMOX_URL): "
                + "expected empty, or only the server as https://host:port, without a path (LabGate adds /api2/json itself)\n")
    }

    @Test("a separate worker on the in-process queue is refused: it could never see the jobs")
    func workerNeedsRedis() async throws {
        let result = try await ChildProcess.run(Self.binary, ["worker"], in: try scratchFolder())
        #expect(result.status == 2)
        #expect(result.error.contains("set ephemeral.engine to redis"))
    }

    @Test("a --config file that does not exist is a clear error")
    func missingConfigFile() async throws {
        let result = try await ChildProcess.run(Self.binary, ["config", "check", "--config", "/nonexistent/labgate.yaml"])
        #expect(result.status == 2)
        #expect(result.error.hasPrefix("labgate: configuration error: cannot read /nonexistent/labgate.yaml"))
    }

    @Test("config check lists every setting with its source and masks secrets")
    func configCheck() async throws {
        let result = try await ChildProcess.run(
            Self.binary, ["config", "check"], in: try scratchFolder(),
            environment: ["LABGATE_REDIS_PASSWORD": "s3cr3t-value", "LABGATE_LOG_FORMAT": "json"])
        #expect(result.status == 0)
        #expect(!result.output.contains("s3cr3t-value"))
        #expect(result.output.contains("redis.password"))
        #expect(result.output.contains("[LABGATE_LOG_FORMAT; LABGATE_LOG_FORMAT]"))
        #expect(result.output.hasSuffix("configuration is valid\n"))
    }

    @Test("--version and --help answer")
    func versionAndHelp() async throws {
        let version = try await ChildProcess.run(Self.binary, ["--version"])
        #expect(version.output == "0.1.0\n")
        for command in [[], ["serve"], ["worker"], ["migrate"], ["config", "check"]] {
            let result = try await ChildProcess.run(Self.binary, command + ["--help"])
            #expect(result.status == 0)
            #expect(result.output.contains("USAGE: labgate"))
        }
    }

    @Test("migrate creates the SQLite schema once; a second run reports it up to date")
    func migrateTwice() async throws {
        let folder = try scratchFolder()
        let first = try await ChildProcess.run(Self.binary, ["migrate"], in: folder)
        #expect(first.status == 0)
        #expect(first.output.contains("applied migration(s) 1, 2, 3, 4, 5, 6"))
        let second = try await ChildProcess.run(Self.binary, ["migrate"], in: folder)
        #expect(second.output.contains("schema is up to date (version \(Migration.all.last!.version))"))
        #expect(FileManager.default.fileExists(atPath: folder + "/var/labgate.sqlite"))
    }

    @Test(
        "serve on the embedded defaults answers /healthz and /readyz, logs each request, and stops cleanly on SIGTERM",
        arguments: ["plain", "json"])
    func serveAndStop(logFormat: String) async throws {
        let (server, url, ready) = try await Self.serving(in: try scratchFolder(), environment: ["LABGATE_LOG_FORMAT": logFormat])
        #expect(ready, "serve did not become ready: \(server.errorOutput)")
        let health = try await Self.get(url, path: "/healthz")
        #expect(health.body == #"{"status":"alive"}"#)
        server.signal(SIGTERM)
        #expect(await server.exitStatus() == 0)
        let log = server.errorOutput
        if logFormat == "json" {
            let lines = log.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            #expect(lines.allSatisfy { $0 != nil }, "not JSON lines: \(log)")
            let request = lines.compactMap { $0 }.first { $0["path"] == "/healthz" }
            #expect(request?["status"] == "200")
            #expect(request?["hb.request.id"]?.isEmpty == false)
        } else {
            #expect(log.contains("path=/healthz"))
            #expect(log.contains("hb.request.id="))
        }
    }

    /// `labgate serve` at a random loopback address in `folder`, once `/readyz` answers 200;
    /// not ready when it exited or 30 s passed. `environment` may set the public URL from the address.
    static func serving(
        in folder: String, environment: [String: String] = [:], publicURL: Bool = false
    ) async throws -> (server: ChildProcess, url: String, ready: Bool) {
        let address = LoopbackAddress.random()
        var environment = environment.merging(["LABGATE_SERVER_HOST": address.host, "LABGATE_SERVER_PORT": String(address.port)]) { $1 }
        if publicURL { environment["LABGATE_LTI_PUBLIC_URL"] = address.url }
        let server = try ChildProcess(binary, ["serve"], in: folder, environment: environment)
        let deadline = ContinuousClock.now + .seconds(30)
        var ready = false
        while !ready, server.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? await get(address.url, path: "/readyz"))?.status == 200
        }
        return (server, address.url, ready)
    }

    static func get(_ url: String, path: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + path), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
