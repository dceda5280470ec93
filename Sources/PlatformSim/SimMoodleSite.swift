import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import WebEncoding

/// The test platform's Moodle web services (`/webservice/rest/server.php`) for the functions
/// LabGate calls, with Moodle's protocol as `../shared/fixtures/moodle/` states it: a form
/// POST with `wstoken`, `wsfunction` and `moodlewsrestformat=json`; every answer HTTP 200,
/// errors as `{exception, errorcode, message}`; undeclared or mistyped parameters refused
/// with `invalidparameter`; a function outside the token's service refused with
/// `accessexception`; an undeliverable message a per-message failure. With
/// `LABGATE_MOODLESIM_REQUEST_LOG` set, every request and answer is appended there for
/// `moodle_ws_contract_check.py --responses`.
public final class SimMoodleSite: Sendable {
    /// One person enrolled in a course, with their Moodle role's short name and groups.
    public struct Participant: Sendable, Equatable {
        public var id: Int
        public var fullname: String
        public var role: String
        public var groupIDs: [Int]

        public init(id: Int, fullname: String, role: String = "student", groupIDs: [Int] = []) {
            self.id = id
            self.fullname = fullname
            self.role = role
            self.groupIDs = groupIDs
        }
    }

    /// A calendar event of a course.
    public struct Event: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var start: Date
        public var durationSeconds: Int

        public init(id: Int, name: String, start: Date, durationSeconds: Int) {
            self.id = id
            self.name = name
            self.start = start
            self.durationSeconds = durationSeconds
        }
    }

    /// A message a function call delivered.
    public struct Message: Sendable, Equatable {
        public var to: Int
        public var text: String
        public var clientmsgid: String?
    }

    private struct Course {
        var participants: [Participant] = []
        var groups: [Int: String] = [:]
        var events: [Event] = []
    }

    private struct State {
        var tokens: [String: Set<String>] = [:]
        var courses: [Int: Course] = [:]
        var blocked: Set<Int> = []
        var messages: [Message] = []
        var calls: [String] = []
    }

    /// The functions it serves; a token's service holds all of them unless a test says otherwise.
    public static let functions = [
        "core_webservice_get_site_info", "core_enrol_get_enrolled_users", "core_group_get_course_groups",
        "core_calendar_get_calendar_events", "core_message_send_instant_messages",
    ]

    private let state = NIOLockedValueBox(State())
    private let requestLog: Int32?
    private let logLock = NIOLock()
    let baseURL = NIOLockedValueBox("")

    init() {
        // Appending: every test's platform writes to the one file at once.
        requestLog = ProcessInfo.processInfo.environment["LABGATE_MOODLESIM_REQUEST_LOG"].flatMap { path in
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            return descriptor < 0 ? nil : descriptor
        }
    }

    deinit {
        if let requestLog { close(requestLog) }
    }

    // MARK: What tests set and read

    /// A new token (32 hex digits, as Moodle makes them) whose service holds `functions`.
    public func issueToken(functions: [String] = SimMoodleSite.functions) -> String {
        let token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
        state.withLockedValue { $0.tokens[token] = Set(functions) }
        return token
    }

    /// Deletes a token, as an admin revoking it in Moodle.
    public func revoke(_ token: String) { state.withLockedValue { _ = $0.tokens.removeValue(forKey: token) } }

    /// Deletes every token.
    public func revokeAll() { state.withLockedValue { $0.tokens = [:] } }

    /// Sets a course's participants, groups (id → name) and calendar events.
    public func setCourse(_ id: Int, participants: [Participant], groups: [Int: String] = [:], events: [Event] = []) {
        state.withLockedValue { $0.courses[id] = Course(participants: participants, groups: groups, events: events) }
    }

    /// A user who does not accept messages.
    public func block(userID: Int) { state.withLockedValue { _ = $0.blocked.insert(userID) } }
    public var messages: [Message] { state.withLockedValue(\.messages) }
    /// The functions called, in order.
    public var calls: [String] { state.withLockedValue(\.calls) }

    // MARK: The endpoint

    func routes(on router: Router<BasicRequestContext>) {
        router.post("webservice/rest/server.php") { request, _ in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 20))
            return self.answer(query: request.uri.query ?? "", form: body)
        }
    }

    private func answer(query: String, form: String) -> Response {
        // Moodle merges the query and the form, the form winning on a name.
        var pairs = FormURLEncoding.decode(form)
        let formNames = Set(pairs.map(\.0))
        pairs += FormURLEncoding.decode(query).filter { !formNames.contains($0.0) }
        let value: JSONValue
        do {
            value = try call(pairs)
        } catch {
            value = error.json
        }
        log(pairs, value)
        let json = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    private func call(_ pairs: [(String, String)]) throws(SimMoodleError) -> JSONValue {
        var parameters = pairs
        func take(_ name: String) -> String? {
            guard let index = parameters.firstIndex(where: { $0.0 == name }) else { return nil }
            return parameters.remove(at: index).1
        }
        let token = take("wstoken") ?? ""
        let function = take("wsfunction")
        _ = take("moodlewsrestformat")
        guard let allowed = state.withLockedValue({ $0.tokens[token] }) else { throw .invalidToken }
        guard let function, !function.isEmpty else { throw .invalidParameter("Missing function name") }
        guard Self.functions.contains(function) else { throw .unknownFunction }
        guard allowed.contains(function) else { throw .accessException("Access to the function \(function)() is not allowed.") }
        state.withLockedValue { $0.calls.append(function) }
        let form = try SimMoodleForm(parameters, rules: SimMoodleForm.rules[function]!)
        switch function {
        case "core_webservice_get_site_info": return siteInfo(allowed)
        case "core_enrol_get_enrolled_users": return try enrolledUsers(form)
        case "core_group_get_course_groups": return try courseGroups(form)
        case "core_calendar_get_calendar_events": return calendarEvents(form)
        default: return try sendMessages(form)
        }
    }

    private func siteInfo(_ allowed: Set<String>) -> JSONValue {
        let site = baseURL.withLockedValue { $0 }
        return [
            "sitename": "LabGate test platform", "username": "labgate-ws", "firstname": "LabGate", "lastname": "Service",
            "fullname": "LabGate Service", "lang": "en", "userid": 2, "siteurl": .string(site),
            "userpictureurl": .string(site + "/theme/image.php/boost/core/1/u/f1"),
            "functions": .array(allowed.sorted().map { ["name": .string($0), "version": "2023100900"] }),
            "advancedfeatures": [], "release": "4.3 (Build: 20231009)", "version": "2023100900",
        ]
    }

    private func course(_ form: SimMoodleForm) throws(SimMoodleError) -> Course {
        let id = form.int("courseid") ?? 0
        guard let course = state.withLockedValue({ $0.courses[id] }) else { throw .missingRecord }
        return course
    }

    private func enrolledUsers(_ form: SimMoodleForm) throws(SimMoodleError) -> JSONValue {
        let course = try course(form)
        let options = form.options("options")
        let fields = Set((options["userfields"] ?? "roles,groups").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let from = Int(options["limitfrom"] ?? "") ?? 0
        let count = Int(options["limitnumber"] ?? "") ?? 0
        var people = Array(course.participants.sorted { $0.id < $1.id }.dropFirst(from))
        if count > 0 { people = Array(people.prefix(count)) }
        return .array(
            people.map { person in
                var entry: [String: JSONValue] = ["id": .number(Double(person.id)), "fullname": .string(person.fullname)]
                if fields.contains("roles") {
                    let id = ["manager": 1, "editingteacher": 3, "teacher": 4, "student": 5][person.role] ?? 5
                    entry["roles"] = [["roleid": .number(Double(id)), "name": "", "shortname": .string(person.role), "sortorder": 0]]
                }
                if fields.contains("groups") {
                    entry["groups"] = .array(
                        person.groupIDs.compactMap { id in
                            course.groups[id].map { ["id": .number(Double(id)), "name": .string($0), "description": "", "descriptionformat": 1] }
                        })
                }
                return .object(entry)
            })
    }

    private func courseGroups(_ form: SimMoodleForm) throws(SimMoodleError) -> JSONValue {
        let course = try course(form)
        let id = form.int("courseid") ?? 0
        return .array(
            course.groups.sorted { $0.key < $1.key }.map { groupID, name in
                [
                    "id": .number(Double(groupID)), "courseid": .number(Double(id)), "name": .string(name), "description": "", "descriptionformat": 1,
                    "enrolmentkey": "", "idnumber": "", "visibility": 0, "participation": true,
                ]
            })
    }

    private func calendarEvents(_ form: SimMoodleForm) -> JSONValue {
        let start = form.int("options[timestart]") ?? 0
        let end = form.int("options[timeend]") ?? 0
        var events: [JSONValue] = []
        var warnings: [JSONValue] = []
        for courseID in form.ints(prefix: "events[courseids]") {
            guard let course = state.withLockedValue({ $0.courses[courseID] }) else {
                warnings.append(
                    ["item": "course", "itemid": .number(Double(courseID)), "warningcode": "nopermissions", "message": "No access rights in course context"])
                continue
            }
            for event in course.events {
                let at = Int(event.start.timeIntervalSince1970)
                guard at >= start, end == 0 || at <= end else { continue }
                events.append([
                    "id": .number(Double(event.id)), "name": .string(event.name), "description": "", "format": 1, "courseid": .number(Double(courseID)),
                    "groupid": 0, "userid": 2, "repeatid": 0, "instance": 0, "eventtype": "course", "timestart": .number(Double(at)),
                    "timeduration": .number(Double(event.durationSeconds)), "visible": 1, "uuid": "", "sequence": 1, "timemodified": .number(Double(at)),
                ])
            }
        }
        return ["events": .array(events), "warnings": .array(warnings)]
    }

    private func sendMessages(_ form: SimMoodleForm) throws(SimMoodleError) -> JSONValue {
        let items = form.records(prefix: "messages")
        guard !items.isEmpty else {
            throw .invalidParameter("messages => Invalid parameter value detected: Missing required key in single structure: messages")
        }
        return .array(
            items.map { item in
                let to = Int(item["touserid"] ?? "") ?? 0
                let text = item["text"] ?? ""
                var outcome: [String: JSONValue] = ["candeletemessagesforallusers": false]
                if let reference = item["clientmsgid"] { outcome["clientmsgid"] = .string(reference) }
                let known = state.withLockedValue { state in state.courses.values.contains { $0.participants.contains { $0.id == to } } }
                let refusal: String? =
                    !known
                    ? "Invalid user id \(to)"
                    : text.utf8.count > 4096
                        ? "The message is too long"
                        : state.withLockedValue({ $0.blocked.contains(to) }) ? "You are unable to message this user" : nil
                if let refusal {
                    outcome["msgid"] = -1
                    outcome["errormessage"] = .string(refusal)
                    return .object(outcome)
                }
                let id = state.withLockedValue { state in
                    state.messages.append(Message(to: to, text: text, clientmsgid: item["clientmsgid"]))
                    return state.messages.count
                }
                outcome["msgid"] = .number(Double(id))
                outcome["text"] = .string(text)
                outcome["timecreated"] = .number(Double(Int(Date().timeIntervalSince1970)))
                outcome["conversationid"] = .number(Double(to))
                outcome["useridfrom"] = 2
                return .object(outcome)
            })
    }

    /// One line per request, the token replaced, in the form the contract checker reads.
    private func log(_ pairs: [(String, String)], _ response: JSONValue) {
        guard let requestLog else { return }
        // The form's fields in the order they came (the checker reads list indexes by position),
        // a name sent twice as a list of its values.
        var names: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in pairs {
            if values[name] == nil { names.append(name) }
            values[name, default: []].append(name == "wstoken" && !value.isEmpty ? "redacted" : value)
        }
        let encoder = JSONEncoder()
        func json(_ value: some Encodable) -> String { (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null" }
        let form = names.map { name in
            let given = values[name] ?? []
            return json(name) + ":" + (given.count == 1 ? json(given[0]) : json(given))
        }
        let text = #"{"method":"POST","path":"/webservice/rest/server.php","status":200,"form":{"# + form.joined(separator: ",") + #"},"response":"#
        var line = Data((text + json(response) + "}").utf8)
        line.append(UInt8(ascii: "\n"))
        // One write(2) per line: with O_APPEND the line lands whole, whoever else writes.
        logLock.withLock { _ = line.withUnsafeBytes { write(requestLog, $0.baseAddress, $0.count) } }
    }
}
