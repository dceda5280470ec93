import Foundation
import TestSupport
import Testing

/// `labgate platform …` and `labgate keys …`, run as an admin would, on the embedded defaults.
@Suite("labgate platform and keys")
struct AdminCommandTests {
    static let binary = CommandLineTests.binary

    func labgate(_ arguments: [String], in folder: String) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run(Self.binary, arguments, in: folder)
    }

    @Test("add, list, approve and remove a platform")
    func platformLifecycle() async throws {
        let folder = try CommandLineTests().scratchFolder()
        let identity = ["--issuer", "https://moodle.example.edu", "--client-id", "abc123"]
        let add = try await labgate(
            ["platform", "add"] + identity + [
                "--deployment-id", "1", "--deployment-id", "7", "--auth-url", "https://moodle.example.edu/mod/lti/auth.php",
                "--token-url", "https://moodle.example.edu/mod/lti/token.php", "--jwks-url", "https://moodle.example.edu/mod/lti/certs.php",
            ], in: folder)
        #expect(add.status == 0, "\(add.error)")
        #expect(add.output.contains("is active; deployments: 1, 7"))

        let list = try await labgate(["platform", "list"], in: folder)
        #expect(list.output.contains("active\thttps://moodle.example.edu\tclient abc123\tdeployments 1,7"))

        #expect(try await labgate(["platform", "approve"] + identity, in: folder).status == 0)
        let removed = try await labgate(["platform", "remove"] + identity, in: folder)
        #expect(removed.output.contains("removed"))
        let again = try await labgate(["platform", "remove"] + identity, in: folder)
        #expect(again.status == 1)
        #expect(again.error.contains("no platform https://moodle.example.edu with client id abc123"))
        #expect(try await labgate(["platform", "list"], in: folder).output.contains("no platforms registered"))
    }

    @Test("platform list and config check warn when one issuer is registered more than once")
    func issuerRegisteredTwice() async throws {
        let folder = try CommandLineTests().scratchFolder()
        for client in ["dynamic-1", "manual-2"] {
            let add = try await labgate(
                [
                    "platform", "add", "--issuer", "https://moodle.example.edu", "--client-id", client, "--deployment-id", "1",
                    "--auth-url", "https://moodle.example.edu/a", "--token-url", "https://moodle.example.edu/t", "--jwks-url", "https://moodle.example.edu/j",
                ], in: folder)
            #expect(add.status == 0, "\(add.error)")
        }
        let list = try await labgate(["platform", "list"], in: folder)
        #expect(list.status == 0)
        #expect(list.error.contains("https://moodle.example.edu is registered 2 times (clients dynamic-1, manual-2)"), "\(list.error)")
        let check = try await labgate(["config", "check"], in: folder)
        #expect(check.status == 0)
        #expect(check.error.contains("warning: https://moodle.example.edu is registered 2 times"), "\(check.error)")
    }

    @Test("bad platform arguments are refused with a message naming the option")
    func badPlatformArguments() async throws {
        let folder = try CommandLineTests().scratchFolder()
        let result = try await labgate(
            [
                "platform", "add", "--issuer", "moodle", "--client-id", "c", "--deployment-id", "1",
                "--auth-url", "https://m/a", "--token-url", "https://m/t", "--jwks-url", "https://m/j",
            ], in: folder)
        #expect(result.status != 0)
        #expect(result.error.contains("--issuer must be an absolute http(s) URL"))
    }

    @Test("platform invite prints a one-time registration URL on the configured public URL, kept only as a hash; a lifetime out of range is refused")
    func platformInvite() async throws {
        let folder = try CommandLineTests().scratchFolder()
        let invite = try await ChildProcess.run(
            Self.binary, ["platform", "invite", "--expires", "2d"], in: folder, environment: ["LABGATE_LTI_PUBLIC_URL": "https://labgate.example.edu"])
        #expect(invite.status == 0, "\(invite.error)")
        let url = invite.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix("https://labgate.example.edu/lti/register?invitation="), "\(url)")
        #expect(invite.error.contains("works once, until"))
        let secret = String(url.split(separator: "=").last ?? "")
        #expect(secret.count >= 40)
        let database = try String(contentsOfFile: folder + "/var/labgate.sqlite", encoding: .isoLatin1)
        #expect(!database.contains(secret), "the secret itself must not be stored")
        let audit = try await labgate(["audit", "list"], in: folder)
        #expect(audit.output.contains("platform.invite"))
        for wrong in ["0d", "31d", "7w", "h"] {
            let refused = try await labgate(["platform", "invite", "--expires", wrong], in: folder)
            #expect(refused.status == 64, "\(wrong): \(refused.status)")
            #expect(refused.error.contains("--expires must be hours (48h) or days (7d)"), "\(wrong): \(refused.error)")
        }
    }

    @Test("keys rotate publishes a new key that signs after the lead time, keeping the old one published")
    func keyRotation() async throws {
        let folder = try CommandLineTests().scratchFolder()
        let empty = try await labgate(["keys", "list"], in: folder)
        #expect(empty.output.contains("no keys yet"))
        let first = try await labgate(["keys", "rotate", "--lead-seconds", "0"], in: folder)
        #expect(first.status == 0, "\(first.error)")
        let second = try await labgate(["keys", "rotate", "--lead-seconds", "600"], in: folder)
        #expect(second.output.contains("stays published until"))
        let list = try await labgate(["keys", "list"], in: folder).output.split(separator: "\n")
        #expect(list.count == 2)
        #expect(list.first?.contains("\tpublished\t") == true)
        #expect(list.last?.contains("published, not signing yet") == true)
        #expect(FileManager.default.fileExists(atPath: folder + "/var/secret.key"))
    }

    @Test("token create prints the token once, list never shows it, revoke ends it; bad names and scopes are refused")
    func tokens() async throws {
        let folder = try CommandLineTests().scratchFolder()
        let created = try await labgate(["token", "create", "--name", "ci-reader", "--scope", "read", "--expires-days", "30"], in: folder)
        #expect(created.status == 0, "\(created.error)")
        let bearer = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(bearer.hasPrefix("lgt_") && bearer.count > 60)
        #expect(created.error.contains("is shown once"))
        let duplicate = try await labgate(["token", "create", "--name", "ci-reader", "--scope", "admin"], in: folder)
        #expect(duplicate.status == 1 && duplicate.error.contains("exists already"))
        let list = try await labgate(["token", "list"], in: folder)
        #expect(list.output.contains("ci-reader\tread\tvalid"))
        #expect(!list.output.contains(String(bearer.suffix(20))))
        #expect(try await labgate(["token", "revoke", "ci-reader"], in: folder).status == 0)
        #expect(try await labgate(["token", "list"], in: folder).output.contains("ci-reader\tread\trevoked"))
        let again = try await labgate(["token", "revoke", "ci-reader"], in: folder)
        #expect(again.status == 1 && again.error.contains("no valid token named ci-reader"))
        let badScope = try await labgate(["token", "create", "--name", "x", "--scope", "root"], in: folder)
        #expect(badScope.status != 0 && badScope.error.contains("--scope"))
        let badName = try await labgate(["token", "create", "--name", "no spaces", "--scope", "read"], in: folder)
        #expect(badName.status != 0 && badName.error.contains("--name must be"))
    }
}
