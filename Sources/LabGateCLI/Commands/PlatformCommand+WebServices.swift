import ArgumentParser
import Foundation
import LTIGateway
import LabCore
import LabGate

extension PlatformCommand {
    /// `labgate platform webservices`.
    struct WebServices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webservices",
            abstract: "Give a platform its Moodle web-service site and token, remove them, or check them.",
            discussion: """
                Without --site-url or --remove it asks Moodle which of LabGate's functions the token may call. The token is read \
                from a file (or standard input with --token-file -), never from the command line, and is stored encrypted.
                """)

        @OptionGroup var options: ConfigOptions
        @OptionGroup var platform: PlatformIdentity
        @Option(name: .customLong("site-url"), help: "The Moodle site's address (its wwwroot), e.g. https://moodle.example.edu") var siteURL: String?
        @Option(name: .customLong("token-file"), help: "A file holding the web-service token; - reads standard input.") var tokenFile: String?
        @Flag(help: "Forget the platform's site and token.") var remove = false

        func validate() throws {
            if remove, siteURL != nil || tokenFile != nil { throw ValidationError("--remove takes neither --site-url nor --token-file") }
            if (siteURL == nil) != (tokenFile == nil) { throw ValidationError("give --site-url and --token-file together") }
        }

        func run() async throws {
            let token = try tokenFile.map(Self.readToken)
            let change = remove ? "platform.webservices.remove" : token == nil ? nil : "platform.webservices.set"
            let status = try await AdminSession.run(options, audit: change.map(platform.audited)) { config, backends in
                try await backends.withWebServices(config) { services in
                    let id = try await platform.id(in: backends)
                    if remove {
                        guard try await services.remove(id) else { throw AdminError.notFound("web services of platform \(platform)") }
                        return MoodleWebServices.Status.notConfigured
                    }
                    if let siteURL, let token { try await services.configure(id, siteURL: siteURL, token: token, now: Date()) }
                    return await services.status(of: id)
                }
            }
            print(Self.describe(status))
        }

        /// The token, trimmed of the line end an editor or `echo` adds.
        static func readToken(from path: String) throws -> String {
            let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
            guard let data else { throw ValidationError("cannot read the token file \(path)") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        static func describe(_ status: MoodleWebServices.Status) -> String {
            switch status {
            case .notConfigured:
                return "no web services configured"
            case .failing(let error):
                return "web services do not work: \(error)"
            case .ready(let site, let missing):
                return
                    (["web services of \(site) work"]
                    + missing.map { "  missing \($0.rawValue): \($0.feature) stays off until it is added to the token's service" })
                    .joined(separator: "\n")
            }
        }
    }
}
