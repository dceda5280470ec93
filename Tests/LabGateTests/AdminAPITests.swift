import AsyncHTTPClient
import Foundation
import LTIGateway
import LabCore
import Logging
import NIOCore
import NIOFoundationCompat
import PlatformSim
import Provisioning
import Storage
import TestSupport
import Testing
import WebSupport
import Yams

@testable import LabGate

@Suite("Admin REST API")
struct AdminAPITests {
    /// An API call's answer.
    struct Answer {
        var status: Int
        var text: String
        var headers: [(String, String)]
        var json: Any?
    }

    static func call(_ method: String, _ url: String, token: String?, body: String? = nil, scheme: String = "Bearer") async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body = body ?? (method == "PUT" ? "{}" : nil) {
            request.body = .bytes(ByteBuffer(string: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        if let token { request.headers.add(name: "Authorization", value: "\(scheme) \(token)") }
        // Generous: the parallel run on two cores has held an answer up for more than 10 s.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(
            status: Int(response.status.code), text: String(buffer: body), headers: response.headers.map { ($0.name, $0.value) },
            json: try? JSONSerialization.jsonObject(with: Data(buffer: body)))
    }

    /// A token of each scope, and a student's instance to point the routes at.
    static func prepare(_ bed: LTITestbed) async throws -> (tokens: [APIToken.Scope: String], instance: LabInstanceID) {
        let issuer = APITokens(repository: bed.repositories.apiTokens)
        var tokens: [APIToken.Scope: String] = [:]
        for scope in APIToken.Scope.allCases {
            tokens[scope] = try await issuer.create(name: "test-\(scope)-\(UUID().uuidString.prefix(6))", scope: scope, lifetime: nil, now: Date()).bearer
        }
        let environment = try await bed.addEnvironment("api-\(UUID().uuidString.prefix(6))", title: "API lab")
        let launched = try await bed.launch(LaunchScenario(subject: "api-student", resourceLinkID: "api-link", custom: ["environment": environment.name]))
        let id = try #require(launched.header("location")?.split(separator: "/").last)
        return (tokens, LabInstanceID(String(id)))
    }

    /// The table of routes, from a controller wired like the served one.
    static func routes(_ bed: LTITestbed) -> [APIRoute] {
        let queue = MemoryJobQueue(settings: bed.config.queue)
        return APIController(
            tokens: APITokens(repository: bed.repositories.apiTokens),
            admin: Administration(
                repositories: bed.repositories, operations: LabOperations(repositories: bed.repositories, queue: queue), queue: queue,
                sessions: SessionStore(ephemeral: MemoryEphemeralStore(), box: SecretBox(secret: Data(count: 32)), lifetime: .seconds(60))), proxmox: nil,
            catalog: nil, memoryCeiling: 0.9,
            audit: .counted(bed.repositories.audit, logger: Logger(label: "test")), trustForwardedFor: false,
            registrationURL: bed.config.lti.registrationURL
        ).routes
    }

    /// A call of the route on the student's instance, its course and activity: the path with its parameters
    /// filled in and the body it takes. What a route removes is a spare made for it, so the bed stays whole.
    static func concrete(_ route: APIRoute, instance: LabInstanceID, in bed: LTITestbed) async throws -> (path: String, body: String?) {
        let lab = try #require(try await bed.repositories.instances.find(id: instance))
        let platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
        let course = try #require(lab.courseID)
        let activity = try #require(try await bed.repositories.courses.activities(of: course).first)
        let environment = try #require(try await bed.repositories.environments.find(id: lab.environmentID))
        let spare = "spare-\(UUID().uuidString.prefix(8).lowercased())"
        var values = [
            "id": instance.rawValue, "action": "start", "platform": platform.id.rawValue, "course": course.rawValue, "job": "no-such-job",
            "scope": "course:\(course)", "activity": activity.id.rawValue, "name": spare, "user": lab.userID.rawValue,
        ]
        switch (route.method, route.path) {
        case (.delete, "/platforms/{platform}"):
            let other = Platform(
                issuer: "https://\(spare).example.edu", clientID: "c", authURL: "https://a.example.edu/auth", tokenURL: "https://a.example.edu/token",
                jwksURL: "https://a.example.edu/jwks", createdAt: Date())
            try await bed.repositories.platforms.insert(other)
            values["platform"] = other.id.rawValue
        case (.delete, "/environments/{name}"): _ = try await bed.addEnvironment(spare, title: "Spare")
        case (.delete, "/tokens/{name}"):
            _ = try await APITokens(repository: bed.repositories.apiTokens).create(name: spare, scope: .read, lifetime: nil, now: Date())
        default: break
        }
        var path = route.routerPath
        for (name, value) in values { path = path.replacingOccurrences(of: ":\(name)", with: value) }
        if route.path == "/activities" { path += "?course=\(course)" }
        let body: String? =
            switch (route.method, route.path) {
            case (.post, "/instances"): #"{"userId": "\#(lab.userID)", "environment": "\#(environment.name)"}"#
            case (.post, "/tokens"): #"{"name": "\#(spare)", "scope": "read"}"#
            case (.post, "/platform-invitations"): "{}"
            case (.put, "/activities/{activity}/environment"): #"{"environment": "\#(environment.name)"}"#
            case (.put, "/environments/{name}"): #"{"name": "\#(spare)", "title": "Spare", "vms": [{"template": 9000}]}"#
            case (.put, "/quotas/{scope}"): #"{"instances": 1000}"#
            case (.put, _): "{}"
            default: nil
            }
        return (path, body)
    }

    @Test("every route of the table, for no token and each scope: 401, 403 or through, in the one error shape", arguments: LTITestbed.Storage.underTest)
    func authorizationMatrix(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage) { (bed) async throws in
            let (tokens, instance) = try await Self.prepare(bed)
            let routes = Self.routes(bed)
            for route in routes {
                let (path, body) = try await Self.concrete(route, instance: instance, in: bed)
                let url = bed.toolURL + path
                let anonymous = try await Self.call(route.method.rawValue, url, token: nil, body: body)
                guard let needed = route.scope else {
                    #expect(anonymous.status == 200, "\(route.method) \(route.path) is public")
                    continue
                }
                #expect(anonymous.status == 401, "\(route.method) \(route.path) without a token")
                #expect((anonymous.json as? [String: Any])?["error"] as? String == "unauthenticated")
                #expect(anonymous.headers.contains { $0.0.lowercased() == "www-authenticate" && $0.1.hasPrefix("Bearer") })
                #expect(try await Self.call(route.method.rawValue, url, token: "lgt_forged_token", body: body).status == 401)
                for (scope, token) in tokens {
                    let answer = try await Self.call(route.method.rawValue, url, token: token, body: body)
                    if scope < needed {
                        #expect(answer.status == 403, "\(route.method) \(route.path) with a \(scope) token")
                        let error = answer.json as? [String: Any]
                        #expect(error?["error"] as? String == "forbidden" && (error?["details"] as? [String: String])?["scope"] == needed.rawValue)
                    } else {
                        // Through: done, or a refusal of the request itself (no dead job to retry, a lab already on its
                        // way, a token name taken, a spare removed by the scope before).
                        #expect(
                            (200..<300).contains(answer.status) || answer.status == 409
                                || answer.status == 404 && (route.path.hasPrefix("/jobs") || route.method == .delete),
                            "\(route.method) \(route.path) with a \(scope) token: \(answer.status)")
                    }
                }
            }
        }
    }

    @Test("revoked and expired tokens are refused like missing ones")
    func revokedAndExpired() async throws {
        try await LTITestbed.run { (bed) async throws in
            let issuer = APITokens(repository: bed.repositories.apiTokens)
            let revoked = try await issuer.create(name: "gone", scope: .admin, lifetime: nil, now: Date())
            let expired = try await issuer.create(name: "old", scope: .admin, lifetime: .seconds(86_400), now: Date().addingTimeInterval(-2 * 86_400))
            #expect(try await Self.call("GET", bed.toolURL + "/api/v1/tokens", token: revoked.bearer).status == 200)
            #expect(try await bed.repositories.apiTokens.revoke(name: "gone", at: Date()))
            #expect(try await Self.call("GET", bed.toolURL + "/api/v1/tokens", token: revoked.bearer).status == 401)
            #expect(try await Self.call("GET", bed.toolURL + "/api/v1/tokens", token: expired.bearer).status == 401)
            // The right id with a wrong secret.
            let wrongSecret = String(revoked.bearer.prefix(while: { $0 != "_" })) + "_" + revoked.token.id.rawValue + "_x"
            #expect(try await Self.call("GET", bed.toolURL + "/api/v1/tokens", token: wrongSecret).status == 401)
        }
    }

    @Test("instances: pages with a cursor, filters by state, 400 naming the bad parameter, 404 for unknown ids, actions 202 or 409")
    func instances() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (tokens, instance) = try await Self.prepare(bed)
            let environment = try #require(try await bed.repositories.instances.find(id: instance)).environmentID
            for subject in ["api-2", "api-3"] {
                _ = try await bed.withOtherBrowser { browser in
                    try await bed.launch(LaunchScenario(subject: subject, resourceLinkID: "api-link", custom: ["environment": "unused"]), in: browser)
                }
            }
            let all = try #require(try await bed.repositories.instances.page(states: Set(LabInstanceState.allCases), after: nil, limit: 100).count)
            let read = tokens[.read]!
            let write = tokens[.write]!
            let first = try await Self.call("GET", bed.toolURL + "/api/v1/instances?limit=1", token: read)
            let page = try #require(first.json as? [String: Any])
            #expect((page["items"] as? [Any])?.count == 1)
            var cursor = page["nextCursor"] as? String
            var seen = 1
            while let next = cursor, seen < 100 {
                let answer = try #require(
                    try await Self.call("GET", bed.toolURL + "/api/v1/instances?limit=1&cursor=\(next)", token: read).json as? [String: Any])
                seen += (answer["items"] as? [Any])?.count ?? 0
                cursor = answer["nextCursor"] as? String
            }
            #expect(seen == all)

            let badState = try await Self.call("GET", bed.toolURL + "/api/v1/instances?state=sleeping", token: read)
            #expect(badState.status == 400)
            #expect(((badState.json as? [String: Any])?["details"] as? [String: String])?["field"] == "state")
            #expect(try await Self.call("GET", bed.toolURL + "/api/v1/instances?limit=0", token: read).status == 400)
            #expect(try await Self.call("GET", bed.toolURL + "/api/v1/instances/nope", token: read).status == 404)
            let one = try #require(try await Self.call("GET", bed.toolURL + "/api/v1/instances/\(instance)", token: read).json as? [String: Any])
            #expect(one["environmentId"] as? String == environment.rawValue)
            #expect(one["guestPassword"] == nil)

            #expect(try await Self.call("POST", bed.toolURL + "/api/v1/instances/\(instance)/explode", token: write).status == 400)
            #expect(try await Self.call("POST", bed.toolURL + "/api/v1/instances/nope/stop", token: write).status == 404)
            let deleted = try await Self.call("POST", bed.toolURL + "/api/v1/instances/\(instance)/delete", token: write)
            #expect(deleted.status == 202)
            #expect((deleted.json as? [String: Any])?["state"] as? String == "deleting")
            let reset = try await Self.call("POST", bed.toolURL + "/api/v1/instances/\(instance)/reset", token: write)
            #expect(reset.status == 409)
            #expect((reset.json as? [String: Any])?["error"] as? String == "not_allowed")
        }
    }

    @Test("docs/openapi.yaml is served and names exactly the routes of the table, with their scopes")
    func documentAgrees() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, item) in paths {
            for (method, operation) in item as? [String: Any] ?? [:] {
                let operation = operation as? [String: Any]
                let scope = operation?["x-labgate-scope"] as? String ?? "public"
                documented.insert("\(method.uppercased()) \(path) \(scope) \(operation?["operationId"] as? String ?? "-")")
            }
        }
        let expected = documented
        try await LTITestbed.run { (bed) async throws in
            let routes = Self.routes(bed)
            #expect(Set(routes.map { "\($0.method.rawValue) \($0.path) \($0.scope?.rawValue ?? "public") \($0.operationID)" }) == expected)
            let served = try await Self.call("GET", bed.toolURL + "/api/v1/openapi.yaml", token: nil)
            #expect(served.status == 200)
        }
    }
}
