import Foundation

/// What LabGate reads from a Moodle site through its web services, as Moodle declares it
/// (`../shared/fixtures/moodle/webservices.json`), keeping only the fields LabGate uses.
public enum MoodleSite {
    /// The functions LabGate calls, each with the feature it serves.
    public enum Function: String, Sendable, CaseIterable, Codable {
        case siteInfo = "core_webservice_get_site_info"
        case enrolledUsers = "core_enrol_get_enrolled_users"
        case courseGroups = "core_group_get_course_groups"
        case calendarEvents = "core_calendar_get_calendar_events"
        case sendMessages = "core_message_send_instant_messages"

        /// What stops working without it, for the admin's eyes.
        public var feature: String {
            switch self {
            case .siteInfo: "checking the token"
            case .enrolledUsers: "Moodle roles and groups on the course page (read-only access for non-editing teachers)"
            case .courseGroups: "the course's groups (labs per group)"
            case .calendarEvents: "the course's timetable"
            case .sendMessages: "messages to students (your lab is ready)"
            }
        }
    }

    /// `core_webservice_get_site_info`: who the token is and what it may call.
    public struct Info: Sendable, Decodable, Equatable {
        public var sitename: String
        public var username: String
        public var userid: Int
        public var release: String?
        public var functions: [NamedFunction]

        /// One function the token's service includes.
        public struct NamedFunction: Sendable, Decodable, Equatable {
            public var name: String
        }
    }

    /// One person enrolled in a course, with their Moodle roles and groups there.
    public struct Participant: Sendable, Decodable, Equatable {
        public var id: Int
        public var fullname: String?
        public var roles: [Role]?
        public var groups: [Group]?

        /// A role in the course; `shortname` is what tells them apart (`editingteacher`, `teacher`, `student`).
        public struct Role: Sendable, Decodable, Equatable {
            public var roleid: Int
            public var shortname: String
        }

        /// Whether Moodle lists them as a non-editing teacher, and nothing that edits the course.
        public var isNonEditingTeacher: Bool {
            let names = Set((roles ?? []).map(\.shortname))
            return names.contains("teacher") && !names.contains("editingteacher") && !names.contains("manager")
        }
    }

    /// A group of a course (`core_group_get_course_groups`, or a participant's `groups`).
    public struct Group: Sendable, Decodable, Equatable, Hashable {
        public var id: Int
        public var name: String
    }

    /// A calendar event of a course (`core_calendar_get_calendar_events`).
    public struct Event: Sendable, Decodable, Equatable {
        public var id: Int
        public var name: String
        public var courseid: Int?
        public var groupid: Int?
        public var eventtype: String
        /// Unix seconds.
        public var timestart: Int
        /// Seconds; 0 for a moment (a due date).
        public var timeduration: Int

        public var start: Date { Date(timeIntervalSince1970: TimeInterval(timestart)) }
        public var end: Date { Date(timeIntervalSince1970: TimeInterval(timestart + timeduration)) }
    }

    /// `core_calendar_get_calendar_events`'s answer: events, and warnings for courses it skipped.
    struct Events: Decodable {
        var events: [Event]
        var warnings: [Warning]?

        struct Warning: Decodable {
            var warningcode: String
            var message: String
        }
    }

    /// One message's outcome (`core_message_send_instant_messages`): `msgid` -1 with
    /// `errormessage` when Moodle could not deliver it.
    struct SentMessage: Decodable {
        var msgid: Int
        var clientmsgid: String?
        var errormessage: String?
    }
}
