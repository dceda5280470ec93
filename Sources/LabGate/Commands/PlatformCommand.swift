import ArgumentParser
import Foundation
import LTIGateway
import LabCore

/// `labgate platform`: the LTI platforms (Moodle sites) allowed to launch LabGate.
struct PlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "Register, list, approve and remove LTI platforms.",
        discussion: "The same registry as lti-config/platforms/*.yaml and Dynamic Registration. A running server sees changes within seconds.",
        subcommands: [Add.self, List.self, Approve.self, Remove.self]
    )

    /// `labgate platform add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a platform (or update the one with this issuer and client id); it is active at once.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The platform's issuer, e.g. https://moodle.example.edu") var issuer: String
        @Option(name: .customLong("client-id"), help: "The client id the platform gave LabGate.") var clientID: String
        @Option(name: .customLong("deployment-id"), help: "A deployment id; repeat for several.") var deploymentIDs: [String]
        @Option(name: .customLong("auth-url"), help: "The platform's OIDC authentication request URL.") var authURL: String
        @Option(name: .customLong("token-url"), help: "The platform's access token URL.") var tokenURL: String
        @Option(name: .customLong("jwks-url"), help: "The platform's public keyset (JWKS) URL.") var jwksURL: String

        func validate() throws {
            for (name, value) in [("--issuer", issuer), ("--auth-url", authURL), ("--token-url", tokenURL), ("--jwks-url", jwksURL)] {
                guard let url = URL(string: value), ["https", "http"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
                    throw ValidationError("\(name) must be an absolute http(s) URL, not \(value.debugDescription)")
                }
            }
            guard !clientID.isEmpty else { throw ValidationError("--client-id must not be empty") }
            guard !deploymentIDs.isEmpty, deploymentIDs.allSatisfy({ !$0.isEmpty }) else {
                throw ValidationError("give at least one non-empty --deployment-id")
            }
        }

        func run() async throws {
            let platform = try await AdminSession.run(options) { _, backends in
                try await PlatformRegistry(repository: backends.repositories.platforms).save(
                    Platform(issuer: issuer, clientID: clientID, authURL: authURL, tokenURL: tokenURL, jwksURL: jwksURL, createdAt: Date()),
                    deployments: deploymentIDs, now: Date())
            }
            print("platform \(platform.issuer) (client \(platform.clientID)) is \(platform.status.rawValue); deployments: \(deploymentIDs.joined(separator: ", "))")
        }
    }

    /// `labgate platform list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered platforms with their deployments and status.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let platforms = try await AdminSession.run(options) { _, backends in
                try await PlatformRegistry(repository: backends.repositories.platforms).list()
            }
            if platforms.isEmpty {
                print("no platforms registered (labgate platform add, a file in lti-config/platforms/, or Dynamic Registration at /lti/register)")
            }
            for (platform, deployments) in platforms {
                print("\(platform.status.rawValue)\t\(platform.issuer)\tclient \(platform.clientID)\tdeployments \(deployments.joined(separator: ","))\tjwks \(platform.jwksURL)")
            }
        }
    }

    /// `labgate platform approve`.
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a platform that registered itself, so its launches are accepted.")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var platform: PlatformIdentity

        func run() async throws {
            let approved = try await AdminSession.run(options) { _, backends in
                try await PlatformRegistry(repository: backends.repositories.platforms).approve(issuer: platform.issuer, clientID: platform.clientID)
            }
            guard approved != nil else { AdminSession.fail(platform.notFound) }
            print("platform \(platform) is active")
        }
    }

    /// `labgate platform remove`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a platform with its deployments; its users and courses go with it.")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var platform: PlatformIdentity

        func run() async throws {
            let removed = try await AdminSession.run(options) { _, backends in
                try await PlatformRegistry(repository: backends.repositories.platforms).remove(issuer: platform.issuer, clientID: platform.clientID)
            }
            guard removed else { AdminSession.fail(platform.notFound) }
            print("platform \(platform) removed")
        }
    }
}

/// `--issuer` and `--client-id`: which platform a command is about.
struct PlatformIdentity: ParsableArguments, CustomStringConvertible {
    @Option(help: "The platform's issuer.") var issuer: String
    @Option(name: .customLong("client-id"), help: "Its client id.") var clientID: String

    var description: String { "\(issuer) (client \(clientID))" }
    var notFound: String { "no platform \(issuer) with client id \(clientID) (see labgate platform list)" }
}
