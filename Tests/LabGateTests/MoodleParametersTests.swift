import Testing

@testable import LTIGateway

/// The form Moodle's REST server reads: lists and structures by index and key, booleans as 0 and 1.
@Suite("Moodle's web-service parameters")
struct MoodleParametersTests {
    @Test("lists, records and options are named as Moodle's REST layer expects, and values are form-encoded")
    func encoding() {
        var parameters = MoodleParameters()
        parameters.set("courseid", 2)
        parameters.set("options[userevents]", false)
        parameters.list("events[courseids]", ["2", "7"])
        parameters.records("messages", [[("touserid", "5"), ("text", "Your lab “Linux” is ready & waiting")]])
        parameters.options("options", [("onlyactive", "1")])
        #expect(
            parameters.formEncoded
                == "courseid=2&options%5Buserevents%5D=0&events%5Bcourseids%5D%5B0%5D=2&events%5Bcourseids%5D%5B1%5D=7"
                + "&messages%5B0%5D%5Btouserid%5D=5&messages%5B0%5D%5Btext%5D=Your%20lab%20%E2%80%9CLinux%E2%80%9D%20is%20ready%20%26%20waiting"
                + "&options%5B0%5D%5Bname%5D=onlyactive&options%5B0%5D%5Bvalue%5D=1")
    }

    @Test("a client message id keeps only what PARAM_ALPHANUMEXT allows")
    func clientMessageID() {
        #expect(MoodleWebServices.clientMessageID("labgate-ready-ab_12/é x") == "labgate-ready-ab_12---x")
    }

    @Test("a token is letters and digits, and a site is an http(s) address without query or credentials")
    func tokenAndSite() throws {
        #expect(MoodleWebServices.isPlausibleToken(String(repeating: "a1", count: 16)))
        #expect(!MoodleWebServices.isPlausibleToken("abc def ghi jkl"))
        #expect(!MoodleWebServices.isPlausibleToken("short"))
        let policy = OutboundURLPolicy(allowInsecureLoopback: false, allowPrivateAddresses: false)
        #expect(try MoodleWebServices.checkedSite("https://moodle.example.edu/", policy: policy) == "https://moodle.example.edu")
        for bad in ["https://moodle.example.edu/?x=1", "https://user:pw@moodle.example.edu", "ftp://moodle.example.edu", "http://moodle.example.edu"] {
            #expect(throws: (any Error).self, "\(bad)") { try MoodleWebServices.checkedSite(bad, policy: policy) }
        }
    }
}
