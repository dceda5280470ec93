import AsyncHTTPClient
import Foundation
import Hummingbird
import JOSE
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat

/// The test platform's gradebook and roster behind its LTI Advantage services, with Moodle
/// 4.3's rules. The roster (`mod/lti/service/memberships`): pages of `limit` from `from`,
/// a `Link: rel="next"` that drops the role filter as Moodle's does. The gradebook
/// (`mod/lti/service/gradebookservices`): an OAuth 2 token endpoint that checks the tool's
/// signed client assertion, line items under `…/lineitems?type_id=`, and scores that must
/// be `application/vnd.ims.lis.v1.score+json`, newer than the grade by whole seconds (409
/// otherwise), for a gradable user (400 otherwise), and that clear the grade unless
/// `FullyGraded`.
public final class SimGradebook: Sendable {
    /// One gradebook column.
    public struct LineItem: Sendable, Codable, Equatable {
        public var number: Int
        public var label: String
        public var scoreMaximum: Double
        public var resourceLinkId: String
        public var tag: String?
    }

    /// One student's grade in a column, as Moodle keeps it.
    public struct Grade: Sendable, Equatable {
        public var score: Double?
        /// Whole seconds, as Moodle's `timemodified`.
        public var timemodified: Int
        public var activityProgress: String
        public var gradingProgress: String
        public var comment: String?
    }

    /// A score request as it arrived, with the status it got.
    public struct ScoreRequest: Sendable {
        public var path: String
        public var contentType: String?
        public var body: String
        public var status: Int
    }

    private struct State {
        var lineItems: [LineItem] = []
        var grades: [String: Grade] = [:]
        var gradable: Set<String> = []
        var usedJTIs: Set<String> = []
        var tokens: [String: Set<String>] = [:]
        var tokenRequests: [String] = []
        var scoreRequests: [ScoreRequest] = []
        var grantedScopes: Set<String> = [SimGradebook.scoreScope, SimGradebook.lineItemScope, SimGradebook.lineItemReadScope, SimGradebook.rosterScope]
        var unavailable = false
        var pageSize = 10
        var roster: [String: SimMember] = [:]
        var rosterRequests: [String] = []
        /// Replaces the roster's answer (tests of a platform answering garbage).
        var rosterOverride: (body: String, link: String?)?
    }

    /// One person on the course's roster.
    public struct SimMember: Sendable, Equatable {
        public var subject: String
        public var name: String?
        public var email: String?
        public var roles: [String]

        public init(subject: String, name: String? = nil, email: String? = nil, roles: [String]) {
            self.subject = subject
            self.name = name
            self.email = email
            self.roles = roles
        }
    }

    static let rosterScope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

    static let scoreScope = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    static let lineItemScope = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    static let lineItemReadScope = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    /// Moodle's id of the course and of LabGate's tool type, as they appear in its service URLs.
    static let courseNumber = 2
    static let typeID = 1

    private let state = NIOLockedValueBox(State())
    /// Where the tool publishes its keys, to check its client assertions.
    let toolKeySetURL = NIOLockedValueBox<String?>(nil)

    init() {}

    // MARK: What tests set and read

    /// The scopes the token endpoint grants (a Moodle admin may untick "Accept grades").
    public func grant(_ scopes: Set<String>) { state.withLockedValue { $0.grantedScopes = scopes } }
    /// While true, every service answers 503, as a platform that is down.
    public func setUnavailable(_ down: Bool) { state.withLockedValue { $0.unavailable = down } }
    /// Line items a page of the list holds.
    public func setPageSize(_ size: Int) { state.withLockedValue { $0.pageSize = max(1, size) } }
    public var lineItems: [LineItem] { state.withLockedValue(\.lineItems) }
    public var scoreRequests: [ScoreRequest] { state.withLockedValue(\.scoreRequests) }
    /// The scope asked for by each token request, in order.
    public var tokenRequests: [String] { state.withLockedValue(\.tokenRequests) }
    /// The grade of `subject` in the column of `resourceLinkID`.
    public func grade(of subject: String, resourceLinkID: String) -> Grade? {
        state.withLockedValue { state in
            state.lineItems.first { $0.resourceLinkId == resourceLinkID }.flatMap { state.grades["\($0.number) \(subject)"] }
        }
    }

    /// Makes a column, as Moodle does for an activity that accepts grades.
    @discardableResult
    public func addLineItem(resourceLinkID: String, label: String, scoreMaximum: Double = 100, tag: String? = nil) -> LineItem {
        state.withLockedValue { state in
            if let existing = state.lineItems.first(where: { $0.resourceLinkId == resourceLinkID && $0.tag == tag }) { return existing }
            let item = LineItem(number: state.lineItems.count + 1, label: label, scoreMaximum: scoreMaximum, resourceLinkId: resourceLinkID, tag: tag)
            state.lineItems.append(item)
            return item
        }
    }

    /// Someone who launched: on the roster, and gradable if a learner.
    func launched(_ scenario: LaunchScenario) {
        enrol(SimMember(subject: scenario.subject, name: scenario.name, email: scenario.email, roles: scenario.roles))
    }

    func membershipsURL(_ issuer: String) -> String {
        "\(issuer)/mod/lti/services.php/CourseSection/\(Self.courseNumber)/bindings/\(Self.typeID)/memberships"
    }
    /// The user leaves the course: Moodle refuses their scores from now on (400) and no longer lists them.
    public func unenrol(_ subject: String) {
        state.withLockedValue { state in
            state.gradable.remove(subject)
            state.roster[subject] = nil
        }
    }
    /// Puts someone on the course's roster (a student who never opened the lab).
    public func enrol(_ member: SimMember) {
        state.withLockedValue { state in
            state.roster[member.subject] = member
            if member.roles.contains(LTIRoles.learner) { state.gradable.insert(member.subject) }
        }
    }
    /// The roster's pages as requested, by address.
    public var rosterRequests: [String] { state.withLockedValue(\.rosterRequests) }
    /// Makes the roster answer `body` (and a `Link` header) instead of the members; nil to stop.
    public func overrideRoster(_ answer: (body: String, link: String?)?) { state.withLockedValue { $0.rosterOverride = answer } }
    /// Forgets every token it issued, as after a restart: the next call with one gets 401.
    public func revokeTokens() { state.withLockedValue { $0.tokens.removeAll() } }

    // MARK: URLs, as Moodle writes them

    func lineItemsURL(_ issuer: String) -> String { "\(issuer)/mod/lti/services.php/\(Self.courseNumber)/lineitems?type_id=\(Self.typeID)" }

    func lineItemURL(_ issuer: String, _ item: LineItem) -> String {
        "\(issuer)/mod/lti/services.php/\(Self.courseNumber)/lineitems/\(item.number)/lineitem?type_id=\(Self.typeID)"
    }

    /// The launch's AGS endpoint claim for the resource link (with its column if it has one).
    func endpointClaim(_ issuer: String, resourceLinkID: String) -> JSONValue {
        var claim: [String: JSONValue] = [
            "scope": .array(
                [Self.lineItemScope, Self.lineItemReadScope, "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly", Self.scoreScope]
                    .map(JSONValue.string)),
            "lineitems": .string(lineItemsURL(issuer)),
        ]
        if let item = state.withLockedValue({ $0.lineItems.first { $0.resourceLinkId == resourceLinkID } }) {
            claim["lineitem"] = .string(lineItemURL(issuer, item))
        }
        return .object(claim)
    }

    // MARK: Routes

    func routes(on router: Router<BasicRequestContext>, platform: PlatformSim) {
        router.post("token") { request, _ in try await self.token(request, platform: platform) }
        router.get("mod/lti/services.php/:course/lineitems") { request, _ in try self.listLineItems(request, platform: platform) }
        router.post("mod/lti/services.php/:course/lineitems") { request, _ in try await self.makeLineItem(request, platform: platform) }
        router.get("mod/lti/services.php/CourseSection/:course/bindings/:type/memberships") { request, _ in
            try self.memberships(request, platform: platform)
        }
        router.post("mod/lti/services.php/:course/lineitems/:item/lineitem/scores") { request, context in
            try await self.score(request, item: context.parameters.get("item", as: Int.self), platform: platform)
        }
    }

    private static func answer(_ status: HTTPResponse.Status, _ reason: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: reason)))
    }

    /// OAuth 2 client credentials with a JWT assertion (Moodle's `mod/lti/token.php`).
    private func token(_ request: Request, platform: PlatformSim) async throws -> Response {
        var request = request
        let fields = PlatformSim.fields(String(buffer: try await request.collectBody(upTo: 64 * 1024)))
        state.withLockedValue { $0.tokenRequests.append(fields["scope"] ?? "") }
        if state.withLockedValue(\.unavailable) { return Self.answer(.serviceUnavailable, "down for maintenance") }
        guard fields["grant_type"] == "client_credentials",
            fields["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            let assertion = fields["client_assertion"]
        else { return try Self.oauthError("invalid_request") }
        guard let claims = try? await verify(assertion), claims.iss == platform.clientID, claims.sub == platform.clientID,
            claims.aud == platform.tokenURL, claims.exp > Int(Date().timeIntervalSince1970), claims.exp - claims.iat <= 300,
            state.withLockedValue({ $0.usedJTIs.insert(claims.jti).inserted })
        else { return try Self.oauthError("invalid_client") }
        let asked = Set((fields["scope"] ?? "").split(separator: " ").map(String.init))
        let granted = asked.intersection(state.withLockedValue(\.grantedScopes))
        let token = UUID().uuidString
        state.withLockedValue { $0.tokens[token] = granted }
        return try PlatformSim.json([
            "access_token": JSONValue.string(token), "token_type": "Bearer", "expires_in": 3600,
            "scope": .string(granted.sorted().joined(separator: " ")),
        ])
    }

    private static func oauthError(_ code: String) throws -> Response {
        var response = try PlatformSim.json(["error": JSONValue.string(code)])
        response.status = .badRequest
        return response
    }

    private struct Assertion: Decodable {
        var iss: String
        var sub: String
        var aud: String
        var iat: Int
        var exp: Int
        var jti: String
    }

    private func verify(_ assertion: String) async throws -> Assertion {
        guard let url = toolKeySetURL.withLockedValue({ $0 }) else { throw PlatformSimError.unexpectedResponse("no tool key set to check against") }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let keys = try JSONDecoder().decode(JSONWebKeySet.self, from: try await response.body.collect(upTo: 1 << 20)).verificationKeys()
        let jws = try CompactJWS(parsing: assertion)
        guard let kid = jws.header.kid, let key = keys[kid] else { throw PlatformSimError.unexpectedResponse("unknown kid") }
        try jws.verify(with: key)
        return try JSONDecoder().decode(Assertion.self, from: jws.payload)
    }

    /// The scopes of the request's bearer token, or nil for none.
    private func scopes(of request: Request) -> Set<String>? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return state.withLockedValue { $0.tokens[String(header.dropFirst(7))] }
    }

    private func listLineItems(_ request: Request, platform: PlatformSim) throws -> Response {
        if state.withLockedValue(\.unavailable) { return Self.answer(.serviceUnavailable, "down for maintenance") }
        guard let scopes = scopes(of: request), !scopes.isDisjoint(with: [Self.lineItemScope, Self.lineItemReadScope]) else {
            return Self.answer(.unauthorized, "Unauthorized")
        }
        let query = request.uri.queryParameters
        let from = query["from"].flatMap { Int(String($0)) } ?? 0
        let (page, size) = state.withLockedValue { state in
            (
                state.lineItems.filter { item in
                    query["resource_link_id"].map { item.resourceLinkId == String($0) } ?? true && query["tag"].map { item.tag == String($0) } ?? true
                }, state.pageSize
            )
        }
        let shown = Array(page.dropFirst(from).prefix(size))
        var response = try PlatformSim.json(shown.map { lineItemJSON($0, issuer: platform.issuer) })
        response.headers[.contentType] = "application/vnd.ims.lis.v2.lineitemcontainer+json"
        if from + size < page.count {
            var next = URLComponents(string: platform.issuer + request.uri.path)!
            next.queryItems =
                request.uri.queryParameters.map { URLQueryItem(name: String($0.key), value: String($0.value)) }.filter { $0.name != "from" }
                + [URLQueryItem(name: "from", value: String(from + size))]
            // Moodle writes typographic quotes around `next`.
            response.headers[.init("Link")!] = "<\(next.string!)>; rel=\u{201C}next\u{201D}"
        }
        return response
    }

    /// Moodle's `get_members_json`: the context, then a page of members.
    private func memberships(_ request: Request, platform: PlatformSim) throws -> Response {
        state.withLockedValue { $0.rosterRequests.append(request.uri.description) }
        if state.withLockedValue(\.unavailable) { return Self.answer(.serviceUnavailable, "down for maintenance") }
        guard scopes(of: request)?.contains(Self.rosterScope) == true else { return Self.answer(.unauthorized, "Unauthorized") }
        if let override = state.withLockedValue(\.rosterOverride) {
            var response = Response(status: .ok, headers: [.contentType: "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"])
            response.body = .init(byteBuffer: ByteBuffer(string: override.body))
            if let link = override.link { response.headers[.init("Link")!] = link }
            return response
        }
        let query = request.uri.queryParameters
        let limit = query["limit"].flatMap { Int(String($0)) } ?? 0
        let from = query["from"].flatMap { Int(String($0)) } ?? 0
        let role = query["role"].map(String.init)
        let everyone = state.withLockedValue { $0.roster.values.sorted { $0.subject < $1.subject } }.filter { member in
            role.map { wanted in member.roles.contains { $0 == wanted || $0.hasSuffix("#" + wanted) } } ?? true
        }
        let page = limit > 0 ? Array(everyone.dropFirst(from).prefix(limit)) : everyone
        let members: [JSONValue] = page.map { member in
            var json: [String: JSONValue] = ["status": "Active", "user_id": .string(member.subject), "roles": .array(member.roles.map(JSONValue.string))]
            if let name = member.name { json["name"] = .string(name) }
            if let email = member.email { json["email"] = .string(email) }
            return .object(json)
        }
        var response = try PlatformSim.json(
            [
                "id": .string(membershipsURL(platform.issuer)),
                "context": ["id": .string(String(Self.courseNumber)), "label": "LAB101", "title": "Lab course"],
                "members": .array(members),
            ] as JSONValue)
        response.headers[.contentType] = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        if limit > 0 && from + limit < everyone.count {
            response.headers[.init("Link")!] = "<\(membershipsURL(platform.issuer))?limit=\(limit)&from=\(from + limit)>; rel=\"next\""
        }
        return response
    }

    private func lineItemJSON(_ item: LineItem, issuer: String) -> JSONValue {
        var json: JSONValue = [
            "id": .string(lineItemURL(issuer, item)), "label": .string(item.label), "scoreMaximum": .number(item.scoreMaximum),
            "resourceLinkId": .string(item.resourceLinkId),
        ]
        if let tag = item.tag, case .object(var object) = json {
            object["tag"] = .string(tag)
            json = .object(object)
        }
        return json
    }

    private func makeLineItem(_ request: Request, platform: PlatformSim) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        if state.withLockedValue(\.unavailable) { return Self.answer(.serviceUnavailable, "down for maintenance") }
        guard scopes(of: request)?.contains(Self.lineItemScope) == true else { return Self.answer(.unauthorized, "Unauthorized") }
        guard request.uri.queryParameters["type_id"] != nil else { return Self.answer(.badRequest, "No type_id") }
        struct Wanted: Decodable {
            var label: String
            var scoreMaximum: Double
            var resourceLinkId: String?
            var tag: String?
        }
        guard let wanted = try? JSONDecoder().decode(Wanted.self, from: body), wanted.scoreMaximum > 0 else {
            return Self.answer(.badRequest, "Incorrect lineitem received")
        }
        let item = addLineItem(resourceLinkID: wanted.resourceLinkId ?? "", label: wanted.label, scoreMaximum: wanted.scoreMaximum, tag: wanted.tag)
        var response = try PlatformSim.json(lineItemJSON(item, issuer: platform.issuer))
        response.status = .created
        response.headers[.contentType] = "application/vnd.ims.lis.v2.lineitem+json"
        return response
    }

    private struct Score: Decodable {
        var userId: String?
        var scoreGiven: Double?
        var scoreMaximum: Double?
        var comment: String?
        var timestamp: String?
        var activityProgress: String?
        var gradingProgress: String?
    }

    /// An ISO 8601 time, with or without fractions of a second.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Moodle's `scores::get_json_for_post_request`, rule for rule.
    private func score(_ request: Request, item number: Int?, platform: PlatformSim) async throws -> Response {
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: 64 * 1024))
        let contentType = request.headers[.contentType]
        let response = scoreResponse(request, body: body, contentType: contentType, item: number)
        state.withLockedValue {
            $0.scoreRequests.append(ScoreRequest(path: request.uri.description, contentType: contentType, body: body, status: Int(response.status.code)))
        }
        return response
    }

    private func scoreResponse(_ request: Request, body: String, contentType: String?, item number: Int?) -> Response {
        if state.withLockedValue(\.unavailable) { return Self.answer(.serviceUnavailable, "down for maintenance") }
        guard scopes(of: request)?.contains(Self.scoreScope) == true else { return Self.answer(.unauthorized, "Unauthorized") }
        guard request.uri.queryParameters["type_id"] != nil, contentType == "application/vnd.ims.lis.v1.score+json" else {
            return Self.answer(.badRequest, "No context or unsupported content type")
        }
        guard let number, let item = state.withLockedValue({ $0.lineItems.first { $0.number == number } }) else {
            return Self.answer(.notFound, "Line item does not exist")
        }
        guard let score = try? JSONDecoder().decode(Score.self, from: Data(body.utf8)), let user = score.userId, let timestamp = score.timestamp,
            let activityProgress = score.activityProgress, let gradingProgress = score.gradingProgress,
            let time = Self.date(timestamp),
            score.scoreGiven == nil || score.scoreMaximum != nil, state.withLockedValue({ $0.gradable.contains(user) })
        else { return Self.answer(.badRequest, "Incorrect score received" + body) }
        let seconds = Int(time.timeIntervalSince1970)
        let key = "\(item.number) \(user)"
        return state.withLockedValue { state in
            if let grade = state.grades[key], grade.timemodified >= seconds {
                return Self.answer(.conflict, "Refusing score with an earlier timestamp for item \(item.number) and user \(user)")
            }
            // A score that is not FullyGraded clears the grade.
            var given = gradingProgress == "FullyGraded" ? score.scoreGiven : nil
            // Rescaled to the column's maximum, as Moodle does when the two differ.
            if let raw = given, let maximum = score.scoreMaximum, maximum != 0, maximum != item.scoreMaximum {
                given = raw * item.scoreMaximum / maximum
            }
            state.grades[key] = Grade(
                score: given, timemodified: seconds, activityProgress: activityProgress, gradingProgress: gradingProgress, comment: score.comment)
            return Response(status: .ok)
        }
    }
}
