import ArgumentParser
import Foundation
import LTIGateway
import LabCore
import LabGate
import WebSupport

/// `labgate platform`: the LTI platforms (Moodle sites) allowed to launch LabGate.
struct PlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "Register, invite, list, approve and remove LTI platforms.",
        discussion: "The same registry as lti-config/platforms/*.yaml and Dynamic Registration. A running server sees changes within seconds.",
        subcommands: [Add.self, Invite.self, List.self, Approve.self, Remove.self, WebServices.self]
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
            print(
                "platform \(platform.issuer) (client \(platform.clientID)) is \(platform.status.rawValue); deployments: \(deploymentIDs.joined(separator: ", "))"
            )
        }
    }

    /// `labgate platform invite`.
    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a one-time registration URL: the platform that registers with it (Dynamic Registration) is active at once.",
            discussion: """
                Give the URL to the platform's admin (in Moodle: Site administration > Plugins > External tool > Manage tools > \
                Tool URL). It works once; a registration without one waits for labgate platform approve.
                """)
        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("How long the URL works: hours (48h) or days (7d), from 1 hour to 30 days.", valueName: "duration"))
        var expires: String = "7d"

        /// `expires` in hours; nil when it is not a number followed by h or d.
        var hours: Int? {
            guard let unit = expires.last, let count = Int(expires.dropLast()), count > 0 else { return nil }
            switch unit {
            case "h": return count
            case "d": return count * 24
            default: return nil
            }
        }

        func validate() throws {
            guard let hours, (1...720).contains(hours) else {
                throw ValidationError("--expires must be hours (48h) or days (7d), from 1 hour to 30 days, not \(expires.debugDescription)")
            }
        }

        func run() async throws {
            let (url, expiresAt) = try await AdminSession.run(options, audit: AuditedChange("platform.invite", "platform-invitations")) { config, backends in
                try await Administration(backends).invitePlatform(
                    registrationURL: config.lti.registrationURL, lifetimeHours: hours ?? PlatformInvitation.defaultLifetimeHours, now: Date())
            }
            print(url)
            FileHandle.standardError.write(Data("works once, until \(expiresAt.formatted(.iso8601)); keep it as you would a password\n".utf8))
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
                print(
                    "\(platform.status.rawValue)\t\(platform.issuer)\tclient \(platform.clientID)\tdeployments \(deployments.joined(separator: ","))\tjwks \(platform.jwksURL)\tid \(platform.id)"
                )
            }
            for warning in Self.issuerWarnings(platforms.map(\.0)) {
                FileHandle.standardError.write(Data("labgate: warning: \(warning)\n".utf8))
            }
        }

        /// One warning per issuer registered more than once (Dynamic Registration and by hand, say).
        static func issuerWarnings(_ platforms: [Platform]) -> [String] {
            Dictionary(grouping: platforms, by: \.issuer).filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map { issuer, registrations in
                """
                \(issuer) is registered \(registrations.count) times (clients \(registrations.map(\.clientID).sorted().joined(separator: ", "))); \
                its launches through any of them reach the same users and courses, but its admin likely uses only one: \
                remove the others (labgate platform remove), its users and courses stay
                """
            }
        }
    }

    /// `labgate platform approve`.
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a platform that registered itself, so its launches are accepted.")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var platform: PlatformIdentity

        func run() async throws {
            try await AdminSession.run(options, audit: platform.audited("platform.approve")) { _, backends in
                _ = try await Administration(backends).approvePlatform(try await platform.id(in: backends))
            }
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
            try await AdminSession.run(options, audit: platform.audited("platform.remove")) { _, backends in
                try await Administration(backends).removePlatform(try await platform.id(in: backends))
            }
            print("platform \(platform) removed")
        }
    }
}

/// Which platform a command is about: `--id` (as the API names it), or `--issuer` and `--client-id`.
struct PlatformIdentity: ParsableArguments, CustomStringConvertible {
    @Option(help: "The platform's id (labgate platform list shows it).") var id: String?
    @Option(help: "The platform's issuer.") var issuer: String?
    @Option(name: .customLong("client-id"), help: "Its client id.") var clientID: String?

    func validate() throws {
        guard id != nil || (issuer != nil && clientID != nil) else { throw ValidationError("name the platform by --id, or by --issuer and --client-id") }
    }

    var description: String { id ?? "\(issuer ?? "") (client \(clientID ?? ""))" }

    /// The platform's id, looked up by issuer and client id when not given.
    func id(in backends: Backends) async throws -> PlatformID {
        if let id { return PlatformID(id) }
        guard let issuer, let clientID, let platform = try await backends.repositories.platforms.find(issuer: issuer, clientID: clientID) else {
            throw AdminError.notFound("platform \(issuer ?? "") with client id \(clientID ?? "") (see labgate platform list)")
        }
        return platform.id
    }

    func audited(_ action: String) -> AuditedChange { AuditedChange(action, "platform/\(description)") }
}
