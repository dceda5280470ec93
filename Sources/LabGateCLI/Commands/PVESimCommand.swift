import ArgumentParser
import Foundation
import LabGate
import Logging
import PVESim
import ServiceLifecycle
import Yams

/// `labgate pve-sim`: a simulated Proxmox VE cluster for the demo, trials and capacity planning.
struct PVESimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pve-sim",
        abstract: "Serve a simulated Proxmox VE cluster (the API under /api2/json) described by a YAML file.",
        discussion: """
            The file names nodes, storages, templates, pools, API tokens, task durations and faults; \
            lti-config/pve-sim.yaml.example is a starting point. Faults can be changed while it runs with \
            POST /_sim/faults (JSON: downNodes, taskFailureRate, taskWarningRate, extraLatencyMs, agentNeverReady). \
            Stops on SIGTERM or SIGINT.
            """
    )

    @Option(help: ArgumentHelp("The cluster description.", valueName: "file")) var config: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (Proxmox's is 8006).") var port = 8006
    @Option(help: ArgumentHelp("PEM certificate to serve HTTPS with (needs --tls-key).", valueName: "file"))
    var tlsCertificate: String?
    @Option(help: ArgumentHelp("PEM private key of --tls-certificate.", valueName: "file")) var tlsKey: String?
    @Option(
        help: ArgumentHelp(
            "Serve HTTPS as a fresh Proxmox node does: the installer's pve-root-ca.pem signing pve-ssl.pem, made in this folder if missing.",
            valueName: "folder"))
    var tlsFolder: String?
    @Option(help: ArgumentHelp("Append every API request received to this file as JSON lines.", valueName: "file"))
    var requestLog: String?

    func validate() throws {
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
        guard tlsFolder == nil || tlsCertificate == nil else { throw ValidationError("--tls-folder and --tls-certificate exclude each other") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
    }

    /// The cluster the file describes; a mistake is named with its place in the file.
    func run() async throws {
        let cluster = try SimCluster.load(from: config)
        let node = cluster.firstNodeName
        let tls =
            try tlsCertificate.map { try SimTLS(certificateFile: $0, keyFile: tlsKey ?? "") }
            ?? tlsFolder.map { try SimTLS.proxmoxInstallerLayout(in: $0, node: node, addresses: [host]) }
        let log = try requestLog.map { try SimRequestLog(path: $0) }
        let logger = Logger(label: "labgate.pve-sim")
        let scheme = tls == nil ? "http" : "https"
        let app = try PVESimServer(cluster: cluster, requestLog: log).application(
            host: host, port: port, tls: tls?.configuration, logger: logger
        ) { [host] bound in
            let nodes = cluster.virtualMachines().filter(\.isTemplate).map { "\($0.vmid) on \($0.node)" }.joined(separator: ", ")
            print("PVESim serving \(scheme)://\(host):\(bound)/api2/json (templates: \(nodes), time scale \(cluster.timeScale))")
            if let tls { print("certificate SHA-256 fingerprint: \(tls.fingerprint)") }
            if let tlsFolder { print("its CA (proxmox.trust: ca): \(SimTLS.InstallerFiles(folder: tlsFolder).ca)") }
            fflush(nil)
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
