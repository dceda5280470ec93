import Foundation
import LabCore
import PlatformSim
import Testing

@testable import LabGate

/// The API's writes beyond instance actions: tokens, activities' environments, instances for a
/// user, platforms and environments removed; each refusal names the field, each change is audited.
@Suite("Admin REST API writes")
struct AdminAPIWritesTests {
    static func call(_ method: String, _ url: String, token: String?, body: String? = nil) async throws -> AdminAPITests.Answer {
        try await AdminAPITests.call(method, url, token: token, body: body)
    }

    static func field(_ answer: AdminAPITests.Answer) -> String? {
        ((answer.json as? [String: Any])?["details"] as? [String: String])?["field"]
    }

    @Test(
        "tokens: made with a bearer that works at once, 409 for a taken name, 422 naming a wrong field, 400 a missing one, 413 when too large, revoked at once")
    func tokens() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (tokens, _) = try await AdminAPITests.prepare(bed)
            let api = bed.toolURL + "/api/v1"
            let admin = tokens[.admin]!
            let made = try await Self.call("POST", api + "/tokens", token: admin, body: #"{"name": "ci", "scope": "read", "expiresDays": 7}"#)
            #expect(made.status == 201)
            let bearer = try #require((made.json as? [String: Any])?["bearer"] as? String)
            #expect(((made.json as? [String: Any])?["token"] as? [String: Any])?["scope"] as? String == "read")
            #expect(try await Self.call("GET", api + "/instances", token: bearer).status == 200)
            #expect(try await Self.call("POST", api + "/tokens", token: admin, body: #"{"name": "ci", "scope": "admin"}"#).status == 409)
            let badName = try await Self.call("POST", api + "/tokens", token: admin, body: #"{"name": "no spaces", "scope": "read"}"#)
            #expect(badName.status == 422 && Self.field(badName) == "name")
            let badDays = try await Self.call("POST", api + "/tokens", token: admin, body: #"{"name": "x", "scope": "read", "expiresDays": 0}"#)
            #expect(badDays.status == 422 && Self.field(badDays) == "expiresDays")
            let badScope = try await Self.call("POST", api + "/tokens", token: admin, body: #"{"name": "x", "scope": "root"}"#)
            #expect(badScope.status == 422 && Self.field(badScope) == "scope")
            let missing = try await Self.call("POST", api + "/tokens", token: admin, body: #"{"scope": "read"}"#)
            #expect(missing.status == 400 && Self.field(missing) == "name")
            #expect(try await Self.call("POST", api + "/tokens", token: admin, body: "[1,").status == 400)
            let huge = #"{"name": "\#(String(repeating: "a", count: 20_000))", "scope": "read"}"#
            #expect(try await Self.call("POST", api + "/tokens", token: admin, body: huge).status == 413)

            #expect(try await Self.call("DELETE", api + "/tokens/ci", token: admin).status == 204)
            #expect(try await Self.call("GET", api + "/instances", token: bearer).status == 401)
            #expect(try await Self.call("DELETE", api + "/tokens/ci", token: admin).status == 404)
        }
    }

    @Test("activities and instances: listed by course, bound and unbound, a user's lab requested once; audited as the CLI words it")
    func activitiesAndInstances() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (tokens, instance) = try await AdminAPITests.prepare(bed)
            let api = bed.toolURL + "/api/v1"
            let write = tokens[.write]!
            let lab = try #require(try await bed.repositories.instances.find(id: instance))
            let course = try #require(lab.courseID)
            let environment = try #require(try await bed.repositories.environments.find(id: lab.environmentID))

            let noCourse = try await Self.call("GET", api + "/activities", token: write)
            #expect(noCourse.status == 400 && Self.field(noCourse) == "course")
            #expect(try await Self.call("GET", api + "/activities?course=nope", token: write).status == 404)
            let listed = try #require(try await Self.call("GET", api + "/activities?course=\(course)", token: write).json as? [[String: Any]])
            let activity = try #require(listed.first?["id"] as? String)
            #expect(listed.first?["environmentId"] as? String == environment.id.rawValue)

            let unbound = try await Self.call("PUT", api + "/activities/\(activity)/environment", token: write, body: #"{"environment": null}"#)
            #expect(unbound.status == 200 && (unbound.json as? [String: Any])?["environmentId"] == nil)
            let unknown = try await Self.call("PUT", api + "/activities/\(activity)/environment", token: write, body: #"{"environment": "windows"}"#)
            #expect(unknown.status == 404)
            #expect(try await Self.call("PUT", api + "/activities/nope/environment", token: write, body: #"{"environment": null}"#).status == 404)
            let bound = try await Self.call("PUT", api + "/activities/\(activity)/environment", token: write, body: #"{"environment": "\#(environment.name)"}"#)
            #expect((bound.json as? [String: Any])?["environmentId"] as? String == environment.id.rawValue)

            let again = try await Self.call(
                "POST", api + "/instances", token: write, body: #"{"userId": "\#(lab.userID)", "environment": "\#(environment.name)"}"#)
            #expect(again.status == 200 && (again.json as? [String: Any])?["id"] as? String == instance.rawValue)
            let nobody = try await Self.call("POST", api + "/instances", token: write, body: #"{"userId": "nobody", "environment": "\#(environment.name)"}"#)
            #expect(nobody.status == 404)
            let other = try await bed.addEnvironment("api-other", title: "Other")
            let made = try await Self.call("POST", api + "/instances", token: write, body: #"{"userId": "\#(lab.userID)", "environment": "\#(other.name)"}"#)
            #expect(made.status == 201 && (made.json as? [String: Any])?["state"] as? String == "requested")
            #expect(try await Self.call("DELETE", api + "/environments/\(other.name)", token: write).status == 409)

            let deployments = try #require(try await Self.call("GET", api + "/deployments", token: write).json as? [[String: Any]])
            #expect(deployments.contains { $0["issuer"] as? String == bed.platform.issuer })

            _ = try await Self.call("POST", api + "/instances/\(instance)/stop", token: write)
            let trail = try await bed.repositories.audit.list(AuditFilter(), before: nil, limit: 20)
            // The stop may find the lab still on its way (refused, 409): its outcome is not asserted.
            #expect(trail.first.map { "\($0.action) \($0.subject)" } == "instance.stop instance/\(instance)")
            #expect(
                trail.dropFirst().prefix(7).map { "\($0.action) \($0.subject) \($0.outcome.rawValue)" } == [
                    "env.remove environment/api-other refused", "instance.create instances succeeded",
                    "instance.create instances refused", "instance.create instances succeeded", "activity.set-environment activity/\(activity) succeeded",
                    "activity.set-environment activity/nope refused", "activity.set-environment activity/\(activity) refused",
                ])
            #expect(trail.first?.actor.hasPrefix("token:test-write-") == true && trail.first?.address == "127.0.0.1")
        }
    }

    @Test("environments: added once Proxmox confirms them (201, then 200 replacing), refused with every problem, removed unless in use")
    func environments() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (tokens, _) = try await AdminAPITests.prepare(bed)
            let api = bed.toolURL + "/api/v1"
            let write = tokens[.write]!
            let spec =
                #"{"name": "shell", "title": "Shell", "vms": [{"template": 9000, "cores": 2, "cloudInit": {"user": "student"}}], "access": {"protocol": "ssh"}}"#
            let added = try await Self.call("PUT", api + "/environments/shell", token: write, body: spec)
            #expect(added.status == 201 && (added.json as? [String: Any])?["title"] as? String == "Shell")
            #expect(try await Self.call("PUT", api + "/environments/shell", token: write, body: spec).status == 200)
            #expect(try await bed.repositories.environments.find(name: "shell") != nil)

            let broken = try await Self.call("PUT", api + "/environments/broken", token: write, body: #"{"name": "broken", "vms": [{"template": 9999}]}"#)
            #expect(broken.status == 422 && (broken.json as? [String: Any])?["error"] as? String == "invalid_environment")
            #expect(((broken.json as? [String: Any])?["details"] as? [String: String])?["problems"]?.contains("vms[0].template") == true)
            let renamed = try await Self.call("PUT", api + "/environments/other", token: write, body: spec)
            #expect(renamed.status == 422 && Self.field(renamed) == "name")
            let noVMs = try await Self.call("PUT", api + "/environments/shell", token: write, body: #"{"name": "shell"}"#)
            #expect(noVMs.status == 400 && Self.field(noVMs) == "vms")
            #expect(try await bed.repositories.environments.find(name: "broken") == nil)

            #expect(try await Self.call("DELETE", api + "/environments/shell", token: write).status == 204)
            #expect(try await Self.call("DELETE", api + "/environments/shell", token: write).status == 404)
        }
    }

    @Test("platforms: a removal through the API takes effect at once for this process's launches, and is audited")
    func platformRemovedAtOnce() async throws {
        try await LTITestbed.run { (bed) async throws in
            let (tokens, _) = try await AdminAPITests.prepare(bed)
            let platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: bed.platform.clientID))
            // The launch above put the platform in the launch path's cache.
            #expect(try await Self.call("DELETE", bed.toolURL + "/api/v1/platforms/\(platform.id)", token: tokens[.admin]!).status == 204)
            // Refused at the login already: the platform is unknown now, not in a few seconds.
            let refusal = await #expect(throws: (any Error).self) {
                try await bed.withOtherBrowser { browser in try await bed.launch(LaunchScenario(subject: "late"), in: browser) }
            }
            #expect("\(refusal.map { "\($0)" } ?? "")".contains("login answered 400"))
            let event = try #require(try await bed.repositories.audit.list(AuditFilter(subject: "platform/\(platform.id)"), before: nil, limit: 1).first)
            #expect(event.action == "platform.remove" && event.outcome == .succeeded)
        }
    }
}
