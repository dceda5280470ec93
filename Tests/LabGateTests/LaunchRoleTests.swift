import Testing

@testable import LTIGateway
@testable import WebSupport

@Suite("LTI roles and outbound addresses")
struct LaunchRoleTests {
    @Test(
        "context and institution roles map to LabGate roles",
        arguments: [
            (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], LaunchRole.student),
            (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], .teacher),
            (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], .teacher),
            (["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"], .teacher),
            (["http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"], .teacher),
            (["Instructor"], .teacher),
            (["Learner"], .student),
            (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator", "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], .admin),
            (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], .admin),
        ])
    func mapping(roles: [String], expected: LaunchRole) {
        #expect(LaunchRole(ltiRoles: roles) == expected)
    }

    @Test("roles LabGate does not know grant nothing")
    func unknownRoles() {
        #expect(LaunchRole(ltiRoles: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor", "urn:lti:instrole:ims/lis/Observer"]) == nil)
        #expect(LaunchRole(ltiRoles: []) == nil)
    }

    @Test("the outbound policy refuses private, loopback and plain-http targets unless allowed")
    func outboundPolicy() throws {
        let strict = OutboundURLPolicy(allowInsecureLoopback: false, allowPrivateAddresses: false)
        for url in [
            "http://127.0.0.1/x", "https://127.0.0.1/x", "https://10.0.0.1/x", "https://192.168.1.1/x", "https://172.20.0.1/x",
            "https://169.254.169.254/latest", "https://[::1]/x", "https://[fd00::1]/x", "https://[::ffff:10.0.0.1]/x", "https://0.0.0.0/x",
        ] {
            #expect(throws: OutboundURLError.self, "\(url)") { try strict.check(url, checkAddresses: true) }
        }
        #expect(throws: Never.self) { try strict.check("https://93.184.215.14/x", checkAddresses: true) }
        let loopback = OutboundURLPolicy(allowInsecureLoopback: true, allowPrivateAddresses: true)
        #expect(throws: Never.self) { try loopback.check("http://127.0.0.1:8080/jwks", checkAddresses: true) }
        #expect(throws: OutboundURLError.self) { try loopback.check("http://93.184.215.14/jwks", checkAddresses: false) }
    }
}
