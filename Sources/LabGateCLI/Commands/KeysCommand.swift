import ArgumentParser
import Foundation
import LTIGateway
import LabGate

/// `labgate keys`: the tool's own signing keys, published at /lti/jwks.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List and rotate the tool's signing keys.",
        subcommands: [List.self, Rotate.self]
    )

    /// `labgate keys list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tool's keys: when each signs from and until when it is published.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let keys = try await AdminSession.run(options) { config, backends in try await AdminSession.toolKeys(config, backends).list() }
            if keys.isEmpty { print("no keys yet: `labgate serve` creates the first one") }
            let now = Date()
            for key in keys {
                let state = !key.isPublished(at: now) ? "retired" : key.activatesAt > now ? "published, not signing yet" : "published"
                let until = key.retiresAt.map { " until \($0.formatted(.iso8601))" } ?? ""
                print("\(key.kid)\t\(state)\tsigns from \(key.activatesAt.formatted(.iso8601))\(until)")
            }
        }
    }

    /// `labgate keys rotate`.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a new key now, sign with it after --lead-seconds, and retire the old ones once what they signed has expired.")

        @OptionGroup var options: ConfigOptions
        @Option(name: .customLong("lead-seconds"), help: "How long the new key is published before it signs (for platforms that cache key sets).")
        var leadSeconds: Int = 300

        func validate() throws {
            guard (0...86_400).contains(leadSeconds) else { throw ValidationError("--lead-seconds must be from 0 to 86400") }
        }

        func run() async throws {
            let keys = try await AdminSession.run(options) { config, backends in
                let ring = try AdminSession.toolKeys(config, backends)
                _ = try await ring.rotate(lead: .seconds(leadSeconds), now: Date())
                return try await ring.list()
            }
            guard let new = keys.last else { return }
            print("new key \(new.kid) is published now and signs from \(new.activatesAt.formatted(.iso8601))")
            for old in keys.dropLast() {
                if let until = old.retiresAt { print("key \(old.kid) stays published until \(until.formatted(.iso8601))") }
            }
        }
    }
}
