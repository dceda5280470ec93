/// A web-service call's parameters checked as Moodle's `validate_parameters` would: every
/// name declared by the function, each value of its declared type (over REST a boolean is
/// only `0` or `1`, an integer only plain decimal digits), required ones present.
struct SimMoodleForm {
    /// A declared parameter: its name as a pattern over the form name (`#` for a list index) and its type.
    struct Rule {
        var pattern: String
        var type: Kind
        var required = false
    }

    enum Kind {
        case int, bool, raw, alphanumext
    }

    private let values: [(String, String)]

    init(_ pairs: [(String, String)], rules: [Rule]) throws(SimMoodleError) {
        for (name, value) in pairs {
            guard let rule = rules.first(where: { Self.matches(name, $0.pattern) }) else {
                throw .invalidParameter("Unexpected keys (\(name)) detected in parameter array.")
            }
            guard Self.valid(value, rule.type) else {
                throw .invalidParameter("\(name) => Invalid parameter value detected: the value is \"\(value)\"")
            }
        }
        for rule in rules where rule.required && !pairs.contains(where: { Self.matches($0.0, rule.pattern) }) {
            throw .invalidParameter("Missing required key in single structure: \(rule.pattern)")
        }
        values = pairs
    }

    func int(_ name: String) -> Int? { values.first { $0.0 == name }.flatMap { Int($0.1) } }

    /// `prefix[0]`, `prefix[1]`, … as integers, in the order they came.
    func ints(prefix: String) -> [Int] {
        values.filter { Self.matches($0.0, prefix + "[#]") }.compactMap { Int($0.1) }
    }

    /// `prefix[i][key]` grouped by `i`, in the order the indexes first came.
    func records(prefix: String) -> [[String: String]] {
        var order: [String] = []
        var items: [String: [String: String]] = [:]
        for (name, value) in values where name.hasPrefix(prefix + "[") {
            let parts = name.dropFirst(prefix.count + 1).split(separator: "]", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[1].hasPrefix("[") else { continue }
            let index = String(parts[0])
            if items[index] == nil { order.append(index) }
            items[index, default: [:]][String(parts[1].dropFirst())] = value
        }
        return order.map { items[$0]! }
    }

    /// Name/value option lists (`options[i][name]`, `options[i][value]`); the last of a name wins.
    func options(_ prefix: String) -> [String: String] {
        var options: [String: String] = [:]
        for item in records(prefix: prefix) {
            if let name = item["name"] { options[name] = item["value"] ?? "" }
        }
        return options
    }

    private static func matches(_ name: String, _ pattern: String) -> Bool {
        var name = Substring(name)
        var pattern = Substring(pattern)
        while let next = pattern.first {
            if next == "#" {
                let digits = name.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty else { return false }
                name = name.dropFirst(digits.count)
            } else {
                guard name.first == next else { return false }
                name = name.dropFirst()
            }
            pattern = pattern.dropFirst()
        }
        return name.isEmpty
    }

    private static func valid(_ value: String, _ kind: Kind) -> Bool {
        switch kind {
        case .raw: true
        case .bool: value == "0" || value == "1"
        case .int: Int(value).map { String($0) == value } ?? false
        case .alphanumext: value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    /// What each function declares.
    static let rules: [String: [Rule]] = [
        "core_webservice_get_site_info": [Rule(pattern: "serviceshortnames[#]", type: .alphanumext)],
        "core_enrol_get_enrolled_users": [
            Rule(pattern: "courseid", type: .int, required: true), Rule(pattern: "options[#][name]", type: .alphanumext),
            Rule(pattern: "options[#][value]", type: .raw),
        ],
        "core_group_get_course_groups": [Rule(pattern: "courseid", type: .int, required: true)],
        "core_calendar_get_calendar_events":
            ["eventids", "courseids", "groupids", "categoryids"].map { Rule(pattern: "events[\($0)][#]", type: .int) }
            + ["userevents", "siteevents", "ignorehidden"].map { Rule(pattern: "options[\($0)]", type: .bool) }
            + ["timestart", "timeend"].map { Rule(pattern: "options[\($0)]", type: .int) },
        "core_message_send_instant_messages": [
            Rule(pattern: "messages[#][touserid]", type: .int, required: true), Rule(pattern: "messages[#][text]", type: .raw, required: true),
            Rule(pattern: "messages[#][textformat]", type: .int), Rule(pattern: "messages[#][clientmsgid]", type: .alphanumext),
        ],
    ]
}

/// Moodle's web-service errors, as its REST server prints them (HTTP 200 all the same).
enum SimMoodleError: Error {
    case invalidToken
    case unknownFunction
    case accessException(String)
    case invalidParameter(String)
    case missingRecord

    var json: JSONValue {
        switch self {
        case .invalidToken:
            ["exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token not found"]
        case .unknownFunction:
            ["exception": "dml_missing_record_exception", "errorcode": "invalidrecordunknown", "message": "Can't find data record in database."]
        case .accessException(let debug):
            ["exception": "webservice_access_exception", "errorcode": "accessexception", "message": "Access control exception", "debuginfo": .string(debug)]
        case .invalidParameter(let debug):
            [
                "exception": "invalid_parameter_exception", "errorcode": "invalidparameter", "message": "Invalid parameter value detected",
                "debuginfo": .string(debug),
            ]
        case .missingRecord:
            ["exception": "dml_missing_record_exception", "errorcode": "invalidrecord", "message": "Can't find data record in database table course."]
        }
    }
}
