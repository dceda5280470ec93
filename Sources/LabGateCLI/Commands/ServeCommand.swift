import ArgumentParser
import Hummingbird
import LabGate

/// `labgate serve`: the HTTP gateway.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP gateway (LTI endpoints, pages, admin API, /healthz, /readyz, /metrics).",
        discussion: "Stops gracefully on SIGTERM or SIGINT: it finishes the requests in flight, then closes its connections."
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Address to listen on; overrides server.host.", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on; overrides server.port.", valueName: "port"))
    var port: String?

    func run() async throws {
        var overrides: [String: (value: String, option: String)] = [:]
        if let host { overrides["server.host"] = (host, "--host") }
        if let port { overrides["server.port"] = (port, "--port") }
        let config = try options.load(overrides: overrides)
        LoggingSetup.bootstrap(config)
        let app = try await buildApplication(config: config)
        try await app.runService()
    }
}
