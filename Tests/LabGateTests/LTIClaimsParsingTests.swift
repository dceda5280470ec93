import Foundation
import LabCore
import PlatformSim
import Testing

@testable import LTIGateway

/// The launch path reads claims with `LTIClaims(payload:)`; `Codable` writes them (and reads
/// a launch kept for a retry). Both must agree on what they say.
@Suite("What a launch reads in one pass, read as Codable reads it")
struct LTIClaimsParsingTests {
    static let lti = "https://purl.imsglobal.org/spec/lti/claim/"
    static let ags = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    static let nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    static let deepLinking = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

    /// A student's launch as Moodle 4.3's mod/lti sends one, with the claims LabGate does not read.
    static let moodleLaunch: [String: JSONValue] = [
        "nonce": "n-0f3a", "iat": 1_765_000_000, "exp": 1_765_000_060, "iss": "https://moodle.example.edu", "aud": "labgate-client",
        "sub": "42", "given_name": "Ada", "family_name": "Lovelace", "name": "Ada Lovelace", "email": "ada@example.edu",
        lti + "deployment_id": "3", lti + "target_link_uri": "https://labgate.example.edu/lti/launch",
        lti + "message_type": "LtiResourceLinkRequest", lti + "version": "1.3.0",
        lti + "resource_link": ["title": "Network lab", "description": "", "id": "7"],
        lti + "context": ["id": "12", "label": "NET101", "title": "Networks é ✓", "type": ["CourseSection"]],
        lti + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        lti + "tool_platform": ["product_family_code": "moodle", "version": "2023100900", "guid": "moodle.example.edu", "name": "Moodle"],
        lti + "launch_presentation": ["locale": "en", "document_target": "iframe", "return_url": "https://moodle.example.edu/mod/lti/return.php"],
        lti + "lis": ["person_sourcedid": "", "course_section_sourcedid": ""], lti + "custom": ["environment": "net-101"],
        "https://purl.imsglobal.org/spec/lti/claim/ext": ["user_username": "ada", "lms": "moodle-2"],
        ags: [
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitems": "https://moodle.example.edu/mod/lti/services.php/12/lineitems?type_id=3",
            "lineitem": "https://moodle.example.edu/mod/lti/services.php/12/lineitems/9/lineitem?type_id=3",
        ],
        nrps: [
            "context_memberships_url": "https://moodle.example.edu/mod/lti/services.php/CourseSection/12/bindings/3/memberships",
            "service_versions": ["1.0", "2.0"],
        ],
    ]

    /// The claim set with `change` applied.
    static func variant(_ change: (inout [String: JSONValue]) -> Void) -> [String: JSONValue] {
        var claims = moodleLaunch
        change(&claims)
        return claims
    }

    static let variants: [[String: JSONValue]] = [
        moodleLaunch,
        variant { $0["aud"] = ["labgate-client", "other"] },
        variant { $0["aud"] = 7 },
        variant { $0["aud"] = nil },
        variant { $0["iss"] = nil },
        variant { $0["iss"] = .null },
        variant { $0["exp"] = "tomorrow" },
        variant { $0["iat"] = 1.5 },
        variant { $0["sub"] = .null },
        variant { $0["sub"] = 42 },
        variant { $0["name"] = nil },
        variant { $0["email"] = ["a", "b"] },
        variant { $0[lti + "roles"] = "Learner" },
        variant { $0[lti + "roles"] = [1, 2] },
        variant { $0[lti + "roles"] = [] },
        variant { $0[lti + "context"] = ["label": "no id"] },
        variant { $0[lti + "context"] = "12" },
        variant { $0[lti + "resource_link"] = ["id": 7] },
        variant { $0[lti + "resource_link"] = .null },
        variant { $0[lti + "custom"] = ["count": 3, "name": "x"] },
        variant { $0[lti + "custom"] = "environment=net" },
        variant { $0[lti + "custom"] = nil },
        variant { $0[ags] = ["lineitem": "https://x.example.edu"] },
        variant { $0[ags] = ["scope": "one", "lineitem": 5] },
        variant { $0[ags] = "none" },
        variant { $0[nrps] = ["context_memberships_url": 5] },
        variant { $0[nrps] = [:] },
        variant {
            $0[lti + "message_type"] = "LtiDeepLinkingRequest"
            $0[deepLinking] = [
                "deep_link_return_url": "https://moodle.example.edu/return", "accept_types": ["ltiResourceLink"], "accept_multiple": "true", "data": "d",
            ]
        },
        variant { $0[deepLinking] = ["deep_link_return_url": "https://m.example.edu/r", "accept_multiple": true] },
        variant { $0[deepLinking] = ["deep_link_return_url": "https://m.example.edu/r", "accept_multiple": 1, "accept_types": .null] },
        variant { $0[deepLinking] = ["accept_types": ["ltiResourceLink"]] },
        variant { $0[deepLinking] = ["deep_link_return_url": "https://m.example.edu/r", "data": 5] },
    ]

    @Test("every variant of a Moodle launch reads the same through both, or is refused by both", arguments: variants.indices)
    func agreesWithCodable(index: Int) throws {
        let payload = try JSONEncoder().encode(Self.variants[index])
        let codable = try? JSONDecoder().decode(LTIClaims.self, from: payload)
        let parsed = Result { () throws(LTIError) in try LTIClaims(payload: payload) }
        switch parsed {
        case .success(let claims): #expect(claims == codable, "\(String(decoding: payload, as: UTF8.self))")
        case .failure(let error):
            #expect(codable == nil, "refused (\(error)) what Codable reads: \(String(decoding: payload, as: UTF8.self))")
            guard case .malformedToken(let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(reason.hasPrefix("its claims are"))
        }
    }

    @Test("the launch Moodle sends reads whole, and what is not a JSON object is refused")
    func moodleLaunchReads() throws {
        let claims = try LTIClaims(payload: try JSONEncoder().encode(Self.moodleLaunch))
        #expect(claims.aud == ["labgate-client"] && claims.displayName == "Ada Lovelace" && claims.context?.title == "Networks é ✓")
        #expect(claims.custom == ["environment": "net-101"] && claims.gradeService?.scope.count == 2)
        #expect(claims.rosterService?.contextMembershipsURL.hasSuffix("/memberships") == true)
        for payload in ["[1]", "\"x\"", "{", "", #"{"iss":"a","iss":"b"}"#] {
            #expect(throws: LTIError.self, "\(payload)") { try LTIClaims(payload: Data(payload.utf8)) }
        }
    }
}
