import Foundation
import LabCore

/// LTI Names and Role Provisioning Services 2.0 as LabGate uses it: every member of a
/// course, page after page. Moodle offers no list of changes, so the whole list is read.
struct NamesAndRoles: Sendable {
    static let scope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    /// At most this many pages (of `pageSize`): a platform that keeps sending `next` is stopped.
    static let maxPages = 200
    static let pageSize = 100

    let service: PlatformServiceCall

    static let learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"

    /// The learners the platform lists at `membershipsURL`. The role filter is asked for and
    /// applied again: Moodle's `next` pages drop it.
    func learners(at membershipsURL: String, platform: Platform, now: Date) async throws(ServiceError) -> [Enrolment] {
        var next: String? = try PlatformServiceURL.adding(query: [("role", Self.learner), ("limit", String(Self.pageSize))], to: membershipsURL)
        var members: [Enrolment] = []
        var pages = 0
        while let page = next {
            pages += 1
            guard pages <= Self.maxPages else { throw .unavailable("the platform's roster has more than \(Self.maxPages) pages") }
            // A `next` link is followed as it is, but only on the platform's own host.
            let answer = try await service(
                .GET, try PlatformServiceURL.check(page, of: platform), headers: [("Accept", "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")],
                scope: Self.scope, service: "roster", platform: platform, now: now)
            guard let container = try? JSONDecoder().decode(Container.self, from: answer.body) else {
                throw .unavailable("the platform's roster is not the JSON of a membership container")
            }
            members += container.members.compactMap(\.enrolment).filter(\.isLearner)
            next = LinkHeader.next(in: answer.headers["link"].joined(separator: ", "))
        }
        return members
    }

    /// A membership container (NRPS §2.2), leniently: a member without a user id is skipped.
    struct Container: Decodable {
        var members: [Member]
    }

    struct Member: Decodable {
        var userID: String?
        var status: String?
        var name: String?
        var givenName: String?
        var familyName: String?
        var email: String?
        var roles: [String]?

        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case status, name, email, roles
            case givenName = "given_name"
            case familyName = "family_name"
        }

        /// The member as LabGate keeps them; nil for one without a user id or not active.
        var enrolment: Enrolment? {
            guard let userID, !userID.isEmpty, (status ?? "Active") == "Active" else { return nil }
            let parts = [givenName, familyName].compactMap { $0 }.joined(separator: " ")
            return Enrolment(subject: userID, name: name ?? (parts.isEmpty ? nil : parts), email: email, roles: roles ?? [])
        }
    }
}
