import Foundation
import LabCore
import Storage
import TestSupport

/// Fixed times, so stored and read values compare exactly (milliseconds are kept).
let t0 = Date(timeIntervalSince1970: 1_790_000_000)

/// A platform, user and environment to hang other rows on.
struct Seed {
    var platform: Platform
    var user: User
    var environment: Environment

    static func make(in repositories: Repositories) async throws -> Seed {
        let platform = Platform(
            issuer: "https://moodle.example.edu", clientID: "client-\(UUID().uuidString.prefix(6))",
            authURL: "https://moodle.example.edu/mod/lti/auth.php", tokenURL: "https://moodle.example.edu/mod/lti/token.php",
            jwksURL: "https://moodle.example.edu/mod/lti/certs.php", createdAt: t0)
        try await repositories.platforms.insert(platform)
        let user = try await repositories.users.upsert(User(platformID: platform.id, subject: "student-1", name: "Ada"))
        let environment = try await repositories.environments.save(Environment(name: "linux-101", title: "Linux 101"))
        return Seed(platform: platform, user: user, environment: environment)
    }
}
