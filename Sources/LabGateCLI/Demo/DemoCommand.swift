import ArgumentParser
import Foundation
import LabGate

/// `labgate demo`: LabGate, a simulated Proxmox cluster and a test LTI platform, registered
/// with each other, for a person to click through the whole flow.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run LabGate with a simulated Proxmox cluster and a test Moodle, and print where to click.",
        discussion: """
            Needs no configuration and touches none: LabGate runs on the embedded defaults in a temporary folder \
            (removed when the demo stops), the built-in simulated cluster clones the VMs, and the test platform's \
            course page launches the activity as a student or as the teacher. Without a Guacamole server the \
            single-use link opens a page that shows the decoded login and the connection record. \
            --once does one student launch without a browser and prints each step with its duration.
            """
    )

    @Option(help: "LabGate's port.") var port: Int = 8080
    @Option(help: "The test platform's port.") var platformPort: Int = 8081
    @Option(help: "The address both listen on (loopback).") var host: String = "127.0.0.1"
    @Flag(help: "Do one student launch without a browser, print each step and its duration, and stop.") var once = false

    func validate() throws {
        guard (1...65535).contains(port), (1...65535).contains(platformPort) else { throw ValidationError("ports are 1 to 65535") }
        guard port != platformPort else { throw ValidationError("--port and --platform-port must differ") }
    }

    func run() async throws {
        let demo = try Demo(host: host, port: port, platformPort: platformPort, quiet: once)
        LoggingSetup.bootstrap(demo.config)
        if once {
            try await demo.run { toolURL, platform in try await DemoWalkthrough(toolURL: toolURL, platform: platform).run() }
        } else {
            try await demo.run(until: nil)
        }
    }
}
