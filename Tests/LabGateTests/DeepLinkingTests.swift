import Foundation
import JOSE
import LTIGateway
import LabCore
import PlatformSim
import TestSupport
import Testing
import WebEncoding

@testable import LabGate

@Suite("LTI Deep Linking")
struct DeepLinkingTests {
    struct ResponseClaims: Decodable {
        var iss: String
        var aud: String
        var exp: Double
        var messageType: String
        var deploymentID: String
        var data: String?
        var items: [Item]

        struct Item: Decodable {
            var type: String
            var title: String
            var custom: [String: String]
            var lineItem: LineItem?
        }

        struct LineItem: Decodable {
            var label: String
            var scoreMaximum: Double
            var resourceId: String
            var tag: String
        }

        enum CodingKeys: String, CodingKey {
            case iss, aud, exp
            case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
            case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
            case data = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
            case items = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
        }
    }

    /// The response JWT, verified with the key LabGate publishes under its kid.
    static func verifiedResponse(_ jwt: String, bed: LTITestbed) async throws -> ResponseClaims {
        let keySet = try JSONDecoder().decode(JSONWebKeySet.self, from: Data(try await bed.browser.get(bed.toolURL + "/lti/jwks").body.utf8))
        let token = try CompactJWS(parsing: jwt)
        let kid = try #require(token.header.kid)
        let key = try #require(keySet.verificationKeys()[kid])
        try token.verify(with: key)
        return try JSONDecoder().decode(ResponseClaims.self, from: token.payload)
    }

    @Test(
        "a teacher picks an environment; the activity exists in LabGate from then on (course page, prepare now), the signed response carries it back, and the new link's first launch binds to it"
    )
    func teacherPicksEnvironment() async throws {
        try await LTITestbed.run { (bed) async throws in
            let environment = try await bed.addEnvironment("win-\(UUID().uuidString.prefix(6))", title: "Windows Server")
            var request = LaunchScenario.teacher()
            request.messageType = "LtiDeepLinkingRequest"
            request.deepLinkingData = "opaque-platform-data"
            let picker = try await bed.launch(request)
            #expect(picker.status == 200)
            #expect(picker.body.contains("Add a virtual lab"))
            #expect(picker.body.contains(#"type="radio""#))
            // From the picker, the teacher reaches the course's page.
            let coursePath = try #require(picker.body.firstMatch(of: /href="(\/courses\/[^"]+)"/)?.1)
            let coursePage = try await bed.browser.get(bed.toolURL + coursePath)
            #expect(coursePage.status == 200 && coursePage.body.contains("Students and their labs"))
            let form = try #require(picker.form)
            let returning = try await bed.browser.submit(form, adding: [("environment", environment.name)])
            #expect(returning.status == 200)
            let autoPost = try #require(returning.form)
            #expect(autoPost.action == bed.platform.issuer + "/deep-link-return")
            _ = try await bed.browser.submit(autoPost)
            let jwt = try #require(bed.platform.deepLinkingReturns.last)

            let claims = try await Self.verifiedResponse(jwt, bed: bed)
            #expect(claims.iss == bed.platform.clientID)
            #expect(claims.aud == bed.platform.issuer)
            #expect(claims.messageType == "LtiDeepLinkingResponse")
            #expect(claims.deploymentID == bed.platform.deploymentID)
            #expect(claims.data == "opaque-platform-data")
            #expect(claims.exp > Date().timeIntervalSince1970)
            #expect(claims.items.count == 1)
            #expect(claims.items.first?.type == "ltiResourceLink")
            #expect(claims.items.first?.custom["environment"] == environment.name)

            // The activity exists before anyone launches it: on the course page, and preparable.
            let courseID = CourseID(String(coursePath.dropFirst("/courses/".count)))
            let made = try #require(try await bed.repositories.courses.activities(of: courseID).first)
            #expect(try await bed.repositories.courses.activities(of: courseID).count == 1)
            #expect(claims.items.first?.custom[Activity.customParameter] == made.id.rawValue)
            #expect(made.environmentID == environment.id && made.title == "Windows Server" && !made.hasBeenLaunched)
            let listed = try await bed.browser.get(bed.toolURL + coursePath)
            #expect(listed.body.contains("Windows Server</strong> (not opened yet)"), "\(listed.body)")
            let csrf = try #require(listed.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let prepared = try await bed.browser.post(
                bed.toolURL + coursePath + "/prepare", fields: [("csrf", String(csrf)), ("activity", made.id.rawValue)])
            #expect(prepared.status == 303, "\(prepared.status): \(prepared.body.prefix(300))")

            // The platform now launches the new link with those custom parameters: a student gets that lab,
            // and the link is bound to the activity made above (no second one).
            try await bed.withOtherBrowser { (student) async throws in
                let launched = try await bed.launch(
                    LaunchScenario(subject: "student-dl", resourceLinkID: "link-from-dl", custom: claims.items[0].custom), in: student)
                let page = try await bed.follow(launched, in: student)
                #expect(page.body.contains("Your lab is being prepared"))
                #expect(page.body.contains("Windows Server"))
            }
            let activities = try await bed.repositories.courses.activities(of: courseID)
            #expect(activities.map(\.id) == [made.id])
            #expect(activities.first?.resourceLinkID == "link-from-dl" && activities.first?.hasBeenLaunched == true)
        }
    }

    @Test("with accept_multiple the teacher may return several environments; without it, one")
    func acceptMultiple() async throws {
        try await LTITestbed.run { (bed) async throws in
            let first = try await bed.addEnvironment("a-\(UUID().uuidString.prefix(6))", title: "A")
            let second = try await bed.addEnvironment("b-\(UUID().uuidString.prefix(6))", title: "B")
            var request = LaunchScenario.teacher()
            request.messageType = "LtiDeepLinkingRequest"
            request.acceptMultiple = true
            let picker = try await bed.launch(request)
            #expect(picker.body.contains(#"type="checkbox""#))
            let returning = try await bed.browser.submit(try #require(picker.form), adding: [("environment", first.name), ("environment", second.name)])
            let jwt = try #require(returning.form?["JWT"])
            let claims = try await Self.verifiedResponse(jwt, bed: bed)
            #expect(claims.items.map { $0.custom["environment"] } == [first.name, second.name])

            request.acceptMultiple = false
            let single = try await bed.launch(request)
            let refused = try await bed.browser.submit(try #require(single.form), adding: [("environment", first.name), ("environment", second.name)])
            #expect(refused.status == 400)
        }
    }
}

@Suite("LTI Dynamic Registration")
struct DynamicRegistrationTests {
    @Test("registering with the test platform posts what Moodle requires and stores the platform as pending; the page says so and stays open")
    func registers() async throws {
        try await LTITestbed.run(["lti.allowPrivateAddresses": "true"]) { (bed) async throws in
            let query = FormURLEncoding.encode([
                ("openid_configuration", bed.platform.openIDConfigurationURL), ("registration_token", bed.platform.registrationToken),
            ])
            let page = try await bed.browser.get(bed.toolURL + "/lti/register?" + query)
            #expect(page.status == 200, "\(page.body)")
            #expect(!page.body.contains("org.imsglobal.lti.close"), "a pending registration's page must stay open to be read")
            #expect(page.body.contains("waits for approval") && page.body.contains("labgate platform approve"))

            let registration = try #require(bed.platform.registrations.first)
            #expect(registration["token_endpoint_auth_method"]?.string == "private_key_jwt")
            #expect(registration["initiate_login_uri"]?.string == bed.toolURL + "/lti/login")
            #expect(registration["redirect_uris"] == [.string(bed.toolURL + "/lti/launch")])
            #expect(registration["jwks_uri"]?.string == bed.toolURL + "/lti/jwks")
            #expect(registration["response_types"] == ["id_token"])
            #expect(registration["scope"]?.string?.contains("https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly") == true)
            let tool = try #require(registration["https://purl.imsglobal.org/spec/lti-tool-configuration"])
            #expect(tool["target_link_uri"]?.string == bed.toolURL + "/lti/launch")
            #expect(tool["domain"]?.string == String(bed.toolURL.dropFirst("http://".count)))
            guard case .array(let messages) = tool["messages"] else {
                Issue.record("no messages in the tool configuration")
                return
            }
            #expect(messages.contains { $0["type"]?.string == "LtiDeepLinkingRequest" })

            let stored = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: "registered-client-1"))
            #expect(stored.status == .pending)
            #expect(stored.jwksURL == bed.platform.jwksURL)
            #expect(try await bed.repositories.platforms.deployments(of: stored.id) == ["registered-deployment-1"])
        }
    }

    @Test("a registration link pointing at a private or loopback address is refused without any request")
    func refusesPrivateAddresses() async throws {
        try await LTITestbed.run { (bed) async throws in
            for target in [bed.platform.openIDConfigurationURL, "https://10.1.2.3/config", "https://[::1]/config", "ftp://example.edu/config"] {
                let page = try await bed.browser.get(bed.toolURL + "/lti/register?" + FormURLEncoding.encode([("openid_configuration", target)]))
                #expect(page.status == 502, "\(target)")
                #expect(page.body.contains("registration could not be completed: the platform could not be reached"))
                #expect(page.body.contains("<h1>LabGate could not be registered</h1>"), "a registration is not a lab")
            }
            #expect(bed.platform.registrations.isEmpty)
            let missing = try await bed.browser.get(bed.toolURL + "/lti/register")
            #expect(missing.status == 400)
        }
    }

    @Test("a wrong registration token is refused by the platform and nothing is stored")
    func wrongToken() async throws {
        try await LTITestbed.run(["lti.allowPrivateAddresses": "true"]) { (bed) async throws in
            let query = FormURLEncoding.encode([("openid_configuration", bed.platform.openIDConfigurationURL), ("registration_token", "wrong")])
            let page = try await bed.browser.get(bed.toolURL + "/lti/register?" + query)
            #expect(page.status == 400)
            #expect(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: "registered-client-1") == nil)
        }
    }

    /// The registration URL of an invitation, with what Moodle adds to it (its `moodle_url`
    /// keeps the URL's own query and appends its parameters).
    static func registerWith(_ invitationURL: String, _ bed: LTITestbed) -> String {
        invitationURL + "&"
            + FormURLEncoding.encode([
                ("openid_configuration", bed.platform.openIDConfigurationURL), ("registration_token", bed.platform.registrationToken),
            ])
    }

    @Test(
        "a registration with an invitation is active at once and closes the platform's dialog; the invitation works once, and an expired one not at all",
        arguments: LTITestbed.Storage.underTest)
    func invitation(storage: LTITestbed.Storage) async throws {
        try await LTITestbed.run(storage: storage, ["lti.allowPrivateAddresses": "true"]) { (bed) async throws in
            let invitations = PlatformInvitations(repository: bed.repositories.invitations)
            let (url, expiresAt) = try await invitations.invite(registrationURL: bed.toolURL + "/lti/register", lifetime: .seconds(7 * 86_400), now: Date())
            #expect(url.hasPrefix(bed.toolURL + "/lti/register?invitation="))
            #expect(abs(expiresAt.timeIntervalSinceNow - 7 * 86_400) < 60)

            let page = try await bed.browser.get(Self.registerWith(url, bed))
            #expect(page.status == 200, "\(page.body)")
            #expect(page.body.contains("org.imsglobal.lti.close"))
            #expect(page.body.contains("active"))
            let platform = try #require(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: "registered-client-1"))
            #expect(platform.status == .active)

            let again = try await bed.browser.get(Self.registerWith(url, bed))
            #expect(again.status == 200)
            #expect(!again.body.contains("org.imsglobal.lti.close"))
            #expect(again.body.contains("was used already or has expired"))
            #expect(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: "registered-client-2")?.status == .pending)

            let (old, _) = try await invitations.invite(
                registrationURL: bed.toolURL + "/lti/register", lifetime: .seconds(3600), now: Date().addingTimeInterval(-7200))
            let expired = try await bed.browser.get(Self.registerWith(old, bed))
            #expect(expired.body.contains("was used already or has expired"))
            #expect(try await bed.repositories.platforms.find(issuer: bed.platform.issuer, clientID: "registered-client-3")?.status == .pending)
        }
    }
}
