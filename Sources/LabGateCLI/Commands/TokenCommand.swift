import ArgumentParser
import Foundation
import LabCore
import LabGate

/// `labgate token`: bearer tokens for the admin REST API.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the admin API's bearer tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// `labgate token create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token and print it once; LabGate keeps only its hash.",
            discussion: "read: look at everything; write: also act on instances, environments, courses and jobs; admin: also platforms, quotas and tokens.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "A unique name, to list and revoke it by.") var name: String
        @Option(help: "read, write or admin.") var scope: APIToken.Scope
        @Option(help: "Days until it expires; none: it lasts until revoked.") var expiresDays: Int?

        func run() async throws {
            let (token, bearer) = try await AdminSession.run(options, audit: AuditedChange("token.create", "token/\(name)")) { _, backends in
                try await Administration(backends).createToken(name: name, scope: scope, expiresDays: expiresDays, now: Date())
            }
            print(bearer)
            FileHandle.standardError.write(
                Data(
                    """
                    token \(token.name) (\(token.scope.rawValue)\(token.expiresAt.map { ", expires \($0.formatted(.iso8601))" } ?? "")) \
                    is shown once: send it as "Authorization: Bearer <token>".\n
                    """.utf8))
        }
    }

    /// `labgate token list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens: name, scope, state, dates (never the secret).")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let tokens = try await AdminSession.run(options) { _, backends in try await backends.repositories.apiTokens.list() }
            if tokens.isEmpty { print("no tokens (labgate token create --name N --scope read|write|admin)") }
            let now = Date()
            for token in tokens {
                let state =
                    token.revokedAt.map { "revoked \($0.formatted(.iso8601))" }
                    ?? (token.isValid(at: now) ? "valid" : "expired")
                let expiry = token.expiresAt.map { "expires \($0.formatted(.iso8601))" } ?? "no expiry"
                print("\(token.name)\t\(token.scope.rawValue)\t\(state)\tcreated \(token.createdAt.formatted(.iso8601))\t\(expiry)")
            }
        }
    }

    /// `labgate token revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once, by name.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The token's name.") var name: String

        func run() async throws {
            try await AdminSession.run(options, audit: AuditedChange("token.revoke", "token/\(name)")) { _, backends in
                try await Administration(backends).revokeToken(name: name, now: Date())
            }
            print("token \(name) revoked")
        }
    }
}

extension APIToken.Scope: ExpressibleByArgument {}
