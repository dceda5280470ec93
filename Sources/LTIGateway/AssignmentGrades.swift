import Foundation
import LabCore
import NIOCore
import NIOHTTP1

/// LTI Assignment and Grade Services 2.0 as LabGate uses them: a student's score posted to
/// an activity's line item (gradebook column), and the line item found or made.
struct AssignmentGrades: Sendable {
    static let scoreScope = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    static let lineItemScope = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    /// The tag that marks the columns LabGate made, so it finds its own and never makes a second.
    static let tag = "labgate"

    let service: PlatformServiceCall

    /// Posts `score` to the line item.
    func post(_ score: Score, to lineItem: String, platform: Platform, now: Date) async throws(ServiceError) {
        let url = try PlatformServiceURL.check(Self.scoresURL(lineItem), of: platform)
        let body: ByteBuffer
        do {
            body = ByteBuffer(data: try JSONEncoder().encode(score))
        } catch {
            throw .unavailable("the score could not be encoded: \(error)")
        }
        _ = try await call(.POST, url, contentType: "application/vnd.ims.lis.v1.score+json", body: body, scope: Self.scoreScope, platform, now: now)
    }

    /// The line item of `resourceLinkID` that LabGate made in the platform's list, or a new one.
    func lineItem(in lineItems: String, resourceLinkID: String, label: String, scoreMaximum: Double, platform: Platform, now: Date) async throws(ServiceError)
        -> String
    {
        var next: String? = try PlatformServiceURL.adding(query: [("resource_link_id", resourceLinkID), ("tag", Self.tag)], to: lineItems)
        var pages = 0
        while let page = next, pages < 50 {
            pages += 1
            let answer = try await call(
                .GET, try PlatformServiceURL.check(page, of: platform), accept: "application/vnd.ims.lis.v2.lineitemcontainer+json", scope: Self.lineItemScope,
                platform, now: now)
            guard let items = try? JSONDecoder().decode([LineItem].self, from: answer.body) else {
                throw .unavailable("the platform's list of gradebook columns is not JSON")
            }
            if let mine = items.first(where: { $0.resourceLinkId == resourceLinkID && $0.tag == Self.tag }), let id = mine.id { return id }
            next = LinkHeader.next(in: answer.headers["link"].joined(separator: ", "))
        }
        let item = LineItem(id: nil, label: label, scoreMaximum: scoreMaximum, resourceLinkId: resourceLinkID, tag: Self.tag)
        let body: ByteBuffer
        do {
            body = ByteBuffer(data: try JSONEncoder().encode(item))
        } catch {
            throw .unavailable("the line item could not be encoded: \(error)")
        }
        let answer = try await call(
            .POST, try PlatformServiceURL.check(lineItems, of: platform), contentType: "application/vnd.ims.lis.v2.lineitem+json",
            accept: "application/vnd.ims.lis.v2.lineitem+json", body: body, scope: Self.lineItemScope, platform, now: now)
        guard let made = try? JSONDecoder().decode(LineItem.self, from: answer.body), let id = made.id else {
            throw .unavailable("the platform made a gradebook column but did not say its address")
        }
        return id
    }

    /// `…/lineitem?type_id=3` → `…/lineitem/scores?type_id=3`: the scores are under the line
    /// item's path, and Moodle's line-item addresses carry a query.
    static func scoresURL(_ lineItem: String) -> String {
        guard var components = URLComponents(string: lineItem) else { return lineItem + "/scores" }
        components.percentEncodedPath =
            components.percentEncodedPath.hasSuffix("/")
            ? components.percentEncodedPath + "scores" : components.percentEncodedPath + "/scores"
        return components.string ?? lineItem + "/scores"
    }

    private func call(
        _ method: HTTPMethod, _ url: String, contentType: String? = nil, accept: String? = nil, body: ByteBuffer? = nil, scope: String, _ platform: Platform,
        now: Date
    ) async throws(ServiceError) -> OutboundHTTP.Answer {
        let headers = [contentType.map { ("Content-Type", $0) }, accept.map { ("Accept", $0) }].compactMap { $0 }
        return try await service(method, url, headers: headers, body: body, scope: scope, service: "gradebook", platform: platform, now: now)
    }

    /// A gradebook column, as AGS writes it.
    struct LineItem: Codable {
        var id: String?
        var label: String?
        var scoreMaximum: Double?
        var resourceLinkId: String?
        var tag: String?
    }
}

/// A score as AGS §3.4 writes it.
struct Score: Codable, Sendable, Equatable {
    var userId: String
    var scoreGiven: Double?
    var scoreMaximum: Double?
    var comment: String?
    var timestamp: String
    var activityProgress: String
    var gradingProgress: String

    /// ISO 8601 in UTC with milliseconds, as AGS asks.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
